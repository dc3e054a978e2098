import pytest

from plans import effective_features, entitlements, plan_in_force, suspended_features


@pytest.mark.parametrize("chosen, trial_active, paid_plan_code, in_force", [
    ("standard", True, None, "standard"),  # trial: the chosen plan, unpaid
    ("pro", True, None, "pro"),
    ("free", True, None, "free"),
    ("pro", True, "standard", "pro"),  # paid early: the trial still lets them try any plan
    ("pro", False, "pro", "pro"),  # trial over, paid
    ("pro", False, "standard", "standard"),  # the paid plan, whatever was chosen
    ("standard", False, None, "free"),  # trial over, unpaid: Free limits
    ("free", False, None, "free"),
])
def test_plan_in_force(catalogue, chosen, trial_active, paid_plan_code, in_force):
    plan = plan_in_force(catalogue[chosen], catalogue, trial_active=trial_active, paid_plan_code=paid_plan_code)
    assert plan.code == in_force


@pytest.mark.parametrize("plan, enabled, effective, suspended", [
    ("pro", {"company_logo", "custom_numbering"}, {"company_logo", "custom_numbering"}, set()),
    ("standard", {"company_logo", "custom_numbering"}, {"company_logo"}, {"custom_numbering"}),
    ("free", {"company_logo", "templates"}, set(), {"company_logo", "templates"}),
    ("free", set(), set(), set()),
])
def test_features_outside_the_plan_are_suspended_not_dropped(catalogue, plan, enabled, effective, suspended):
    assert effective_features(enabled, catalogue[plan]) == effective
    assert suspended_features(enabled, catalogue[plan]) == suspended


def test_unpaid_after_the_trial_runs_on_free_limits_with_paid_features_suspended(catalogue):
    result = entitlements(catalogue["standard"], catalogue, trial_active=False, paid_plan_code=None,
                          enabled_features={"company_logo", "templates"})
    assert (result.plan.code, result.documents_per_month, result.users, result.archive_months) == ("free", 10, 1, 3)
    assert result.features == set()
    assert result.suspended == {"company_logo", "templates"}
    assert not result.allows("company_logo")


def test_during_the_trial_the_chosen_plan_applies_in_full(catalogue):
    result = entitlements(catalogue["pro"], catalogue, trial_active=True, paid_plan_code=None,
                          enabled_features={"custom_numbering"})
    assert (result.plan.code, result.documents_per_month, result.users, result.archive_months) == ("pro", 2000, 25, None)
    assert result.allows("custom_numbering")
    assert result.suspended == set()
