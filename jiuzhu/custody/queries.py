"""Reads for custody: the staff side starts from the case scope, the portal from the custodian link."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jiuzhu.accounts.models import User
from jiuzhu.custody.models import Custodian, CustodianStaff, EntrustmentAgreement
from jiuzhu.orgs.models import Organisation


def custodians_of(user: User) -> list[Custodian]:
    """Return the custodians USER acts for (the portal's grant)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [s.custodian for s in CustodianStaff.objects.filter(user=user).select_related("custodian")]


def entrusted_to(user: User) -> QuerySet[EntrustmentAgreement]:
    """Return the agreements entrusted to USER's custodians: the only cases the portal shows."""
    ids = [c.pk for c in custodians_of(user)]
    # The portal shows masked names only: never load the applicant's encrypted columns.
    return (EntrustmentAgreement.objects.filter(custodian_id__in=ids)
            .select_related("case__handling_org", "case__applicant", "custodian")
            .defer("case__applicant__id_number", "case__applicant__phone", "case__applicant__address",
                   "case__applicant__bank_account", "custodian__account")
            .order_by("-signed_on", "-pk"))


def agreement_for_custodian(user: User, pk: int) -> EntrustmentAgreement:
    """Return agreement PK if it is entrusted to one of USER's custodians; 404 otherwise."""
    agreement = entrusted_to(user).filter(pk=pk).first()
    if agreement is None:
        raise Http404("没有该代管案件")
    return agreement


def custodians_for_case(org: Organisation) -> QuerySet[Custodian]:
    """Return the active custodians a case of ORG may be entrusted to (registered in its line of procuratorates)."""
    parts = org.path.strip("/").split("/")
    ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return (Custodian.objects.filter(Q(area__path__in=ancestors) | Q(area__path__startswith=org.path), is_active=True)
            .select_related("area").defer("account").order_by("name"))
