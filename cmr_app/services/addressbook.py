"""Clients, carriers and products of one company."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Carrier, Client, Product, User
from ..schemas import CarrierIn, ClientIn, ProductIn, dump, parse
from ..tenant import get_owned
from . import accounts
from .search import fold, matching, page


# A product's ADR entry (a goods line's `adr`, as the API names its keys) → its columns.
PRODUCT_ADR = {"un_number": "adr_un_number", "proper_shipping_name": "adr_proper_shipping_name",
               "class": "adr_class", "packing_group": "adr_packing_group", "tunnel_code": "adr_tunnel_code",
               "environmentally_hazardous": "adr_environmentally_hazardous"}


def product_adr(product: Product) -> dict | None:
    """The product's ADR entry as a goods line's `adr`, or None when it has none."""
    adr = {key: getattr(product, attribute) for key, attribute in PRODUCT_ADR.items()}
    return adr if any(adr.values()) else None


class Kind:
    def __init__(self, model, schema, search_fields):
        self.model, self.schema, self.search_fields = model, schema, search_fields

    def to_dict(self, obj) -> dict:
        if self.model is Product:
            return {"id": obj.id, "name": obj.name, "marks": obj.marks, "packages": obj.packages,
                    "packing": obj.packing, "nature": obj.nature,
                    "statistical_number": obj.statistical_number,
                    "gross_weight_kg": _dec(obj.gross_weight_kg), "volume_m3": _dec(obj.volume_m3),
                    "adr": product_adr(obj)}
        data = {"id": obj.id}
        for field in self.schema.model_fields:
            data[field] = getattr(obj, field)
        return data

    def _apply(self, obj, values: dict) -> None:
        if self.model is Product:
            adr = values.pop("adr", None) or {}
            for key, attribute in PRODUCT_ADR.items():
                setattr(obj, attribute, adr.get(key) or (False if key == "environmentally_hazardous" else ""))
        for key, value in values.items():
            setattr(obj, key, value)
        obj.search_text = fold(*(getattr(obj, f) for f in self.search_fields))


def _dec(value):
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


CLIENTS = Kind(Client, ClientIn, ("name", "city", "country", "tax_id", "email", "address", "postal_code"))
CARRIERS = Kind(Carrier, CarrierIn, ("name", "city", "country", "tax_id", "vehicle_registration", "address"))
PRODUCTS = Kind(Product, ProductIn, ("name", "nature", "packing", "statistical_number", "marks"))
KINDS = {"clients": CLIENTS, "carriers": CARRIERS, "products": PRODUCTS}


def list_entries(kind: Kind, company_id: int, *, q: str = "", cursor=None, limit: int = 50):
    query = select(kind.model).where(kind.model.company_id == company_id)
    for condition in matching(kind.model, q):
        query = query.where(condition)
    return page(query, kind.model, cursor=cursor, limit=limit)


def get_entry(kind: Kind, company_id: int, entry_id):
    return get_owned(kind.model, entry_id, company_id)


def create_entry(kind: Kind, user: User, data: dict):
    accounts.require_editor(user)
    values = dump(parse(kind.schema, data))
    obj = kind.model(company_id=user.company_id)
    kind._apply(obj, values)
    db.session.add(obj)
    db.session.commit()
    return obj


def update_entry(kind: Kind, user: User, entry_id, data: dict):
    accounts.require_editor(user)
    obj = get_owned(kind.model, entry_id, user.company_id)
    values = dump(parse(kind.schema, data, partial_base=kind.to_dict(obj)))
    kind._apply(obj, values)
    db.session.commit()
    return obj


def delete_entry(kind: Kind, user: User, entry_id) -> None:
    accounts.require_editor(user)
    obj = get_owned(kind.model, entry_id, user.company_id)
    db.session.delete(obj)
    db.session.commit()
