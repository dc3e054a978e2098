"""Clients, carriers and products of one company."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Carrier, Client, Product, User
from ..schemas import CarrierIn, ClientIn, ProductIn, dump, parse
from ..tenant import get_owned
from . import accounts
from .search import fold, matching, page


class Kind:
    def __init__(self, model, schema, search_fields):
        self.model, self.schema, self.search_fields = model, schema, search_fields

    def to_dict(self, obj) -> dict:
        if self.model is Product:
            adr = ({"class": obj.adr_class, "un_number": obj.adr_un_number,
                    "packing_group": obj.adr_packing_group}
                   if (obj.adr_class or obj.adr_un_number or obj.adr_packing_group) else None)
            return {"id": obj.id, "name": obj.name, "marks": obj.marks, "packages": obj.packages,
                    "packing": obj.packing, "nature": obj.nature,
                    "statistical_number": obj.statistical_number,
                    "gross_weight_kg": _dec(obj.gross_weight_kg), "volume_m3": _dec(obj.volume_m3),
                    "adr": adr}
        data = {"id": obj.id}
        for field in self.schema.model_fields:
            data[field] = getattr(obj, field)
        return data

    def _apply(self, obj, values: dict) -> None:
        if self.model is Product:
            adr = values.pop("adr", None) or {}
            obj.adr_class, obj.adr_un_number, obj.adr_packing_group = (
                adr.get("class", ""), adr.get("un_number", ""), adr.get("packing_group", ""))
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
