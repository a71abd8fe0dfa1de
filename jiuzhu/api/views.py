"""The integration API (/api/v1/), for the 12309 platform and the unified case system.

Built on django-ninja: the OpenAPI document (/api/v1/openapi.json) comes from the schemas below.
Every call is authenticated by a bearer token bound to one procuratorate and a set of scopes; a client
sees only the cases of its procuratorate's scope (404 otherwise), like staff of that procuratorate.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from jiuzhu.api import stats_adapter
from jiuzhu.api.models import ApiCallLog, ApiClient, Scope
from jiuzhu.api.tokens import client_for
from jiuzhu.cases.models import AidCase, Deadline
from jiuzhu.lib import clock
from jiuzhu.lib.dates import ApiDate
from jiuzhu.lib.netaddr import client_ip
from jiuzhu.orgs.models import Organisation

FAILED_AUTH_PER_IP_10MIN = 30
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,79}$"


class RateLimited(Exception):
    pass


class TokenAuth(HttpBearer):
    """A valid token is limited on its own calls only (`rate_per_minute`), never by its neighbours: many
    clients share one address behind a proxy. Bad tokens are limited per client address (client_ip), so
    guessing from one address stops without blocking the valid tokens that come from it. Both limits count
    rows of ApiCallLog, in the database, so they hold across every worker process."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = client_for(token)
        if client is None:
            since = clock.now() - dt.timedelta(minutes=10)
            if ApiCallLog.objects.filter(client__isnull=True, ip=client_ip(request), status=401, at__gte=since) \
                    .count() >= FAILED_AUTH_PER_IP_10MIN:
                raise RateLimited()
            return None
        request.api_client = client  # type: ignore[attr-defined]
        recent = ApiCallLog.objects.filter(client=client, at__gte=clock.now() - dt.timedelta(minutes=1)).count()
        if recent >= client.rate_per_minute:
            raise RateLimited()
        return client


class _Encoder(NinjaJSONEncoder):
    """Times to the microsecond, as stored (Django's encoder cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class _Renderer(JSONRenderer):
    encoder_class = _Encoder


class BodyError(Exception):
    """A request body the API cannot read: its status and the Chinese reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _no_constant(name: str) -> Any:
    raise BodyError(400, f"请求体不是有效的 JSON（不接受 {name}）。")


class _Parser(Parser):
    """JSON in UTF-8 only, said in Chinese when it is not (ninja wraps whatever this raises in an HttpError)."""

    def parse_body(self, request: HttpRequest) -> Any:
        if request.content_type != "application/json":
            raise BodyError(415, "请求体应为 JSON，请求头应为 Content-Type: application/json"
                                 f"（收到的是 {request.content_type or '空'}）。")
        if (request.content_params or {}).get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise BodyError(415, "请求体应为 UTF-8 编码的 JSON。")
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyError(400, "请求体不是 UTF-8 编码，请用 UTF-8 编码的 JSON。") from None
        try:
            return json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as e:
            raise BodyError(400, f"请求体不是有效的 JSON（第{e.lineno}行第{e.colno}列）。") from None
        except RecursionError:
            raise BodyError(400, "请求体的 JSON 嵌套层次过深。") from None


api = NinjaAPI(title="救助系统接口（Jiuzhu API）", version="1.0.0", urls_namespace="api", auth=TokenAuth(),
               renderer=_Renderer(), parser=_Parser(),
               # The document is public (/api/v1/openapi.json): partners build their clients from it before they
               # hold a token, it holds no data, and the source it describes is published anyway. The docs page is
               # off: Swagger UI would load scripts from a CDN, which the CSP and the no-outside-assets rule forbid.
               docs_url=None,
               description="向国家司法救助案件管理系统移送救助申请和线索、查询案件状态和期限、查询统计数据。"
                           "每个客户端绑定一个检察院和若干权限范围，只能看到本院及下级院的案件。")


def _error(request: HttpRequest, status: int, message: str, errors: list[dict[str, Any]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _error(request, 429, "调用过于频繁，请稍后再试。")
    response["Retry-After"] = "60"
    return response


GENERIC = {400: "请求格式不正确。", 401: "令牌无效或已停用。", 403: "没有权限。", 404: "请求的资源不存在。",
           405: "不支持该请求方法。", 413: "请求体过大。", 415: "请求体应为 JSON。", 429: "调用过于频繁，请稍后再试。"}


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Our own HttpErrors already speak Chinese; ninja's own (body parsing) are translated."""
    if isinstance(exc.__cause__, BodyError):
        return _error(request, exc.__cause__.status, exc.__cause__.message)
    message = exc.message if _is_chinese(exc.message) else GENERIC.get(exc.status_code, "请求无法处理。")
    return _error(request, exc.status_code, message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "请求的资源不存在。")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback as Django logs one, answered in Chinese JSON (and still in the call log)."""
    logging.getLogger("django.request").error("Internal Server Error: %s", request.path, exc_info=exc,
                                              extra={"status_code": 500, "request": request})
    return _error(request, 500, "服务器内部错误，请稍后再试；如持续出现请联系系统管理员。")


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "令牌无效或已停用。")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"loc": [str(x) for x in e.get("loc", []) if x not in ("body", "query", "path", "payload")],
               "msg": _chinese(e)} for e in exc.errors]
    return _error(request, 422, "提交的数据有误，请按字段说明修改。", errors)


def _chinese(e: dict[str, Any]) -> str:
    kind = e.get("type", "")
    ctx = e.get("ctx") or {}
    return {
        "missing": "此项必须填写。",
        "string_too_long": f"不能超过{ctx.get('max_length')}个字符。",
        "string_too_short": "此项不能为空。" if ctx.get("min_length") == 1 else f"至少{ctx.get('min_length')}个字符。",
        "string_pattern_mismatch": "格式不正确（只能用字母、数字和 _ . : -）。",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
        "date_parsing": "日期格式应为 YYYY-MM-DD。",
        "datetime_parsing": "时间格式应为 ISO 8601，例如 2026-11-29T08:00:00+08:00。",
        "datetime_from_date_parsing": "时间格式应为 ISO 8601，例如 2026-11-29T08:00:00+08:00。",
        "bool_parsing": "应为 true 或 false。",
        "int_parsing": "应为整数。",
        "less_than_equal": f"不能大于{ctx.get('le')}。",
        "greater_than_equal": f"不能小于{ctx.get('ge')}。",
        "model_attributes_type": "应为 JSON 对象。",
        "dict_type": "应为 JSON 对象。",
        "string_type": "应为字符串。",
        "json_invalid": "请求体不是有效的 JSON。",
        "extra_forbidden": "不认识的字段。",
        "literal_error": "取值不正确。",
        "value_error": str(ctx.get("error") or "取值不正确。"),  # e.g. the date policy's Chinese message
    }.get(kind, "取值不正确。")


def _client(request: HttpRequest, scope: str) -> ApiClient:
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    if scope not in client.scopes:
        raise HttpError(403, f"该客户端没有“{Scope(scope).label}”权限。")
    return client


def _org_in_scope(client: ApiClient, code: str | None) -> Organisation:
    if not code:
        return client.org
    org = Organisation.objects.filter(code=code, path__startswith=client.org.path).first()
    if org is None:
        raise HttpError(404, "检察院不存在或不在本客户端的范围内。")
    return org


def _cases(client: ApiClient) -> Any:
    return AidCase.objects.filter(handling_org__path__startswith=client.org.path)


# ---------------------------------------------------------------------------------------------
# Schemas (strings, as the screens take them: the screens' own forms check them)


class Strict(Schema):
    model_config = {"extra": "forbid"}


class ApplicantIn(Strict):
    capacity: str = Field(..., max_length=20, description="self 本人 / legal_rep 法定代理人 / agent 委托代理人")
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=30, description="18位公民身份号码")
    phone: str = Field("", max_length=20, description="手机号码：申请人凭它登录网上申请平台、接收短信")
    relationship: str = Field("", max_length=30)


class VictimIn(Strict):
    same_as_applicant: bool = False
    victim_name: str = Field("", max_length=50)
    victim_id_number: str = Field("", max_length=30)
    victim_condition: str = Field(..., max_length=20, description="injured / disabled / deceased / property / other")


class CaseIn(Strict):
    original_case_number: str = Field("", max_length=80)
    charge: str = Field("", max_length=80)
    what_happened: str = Field(..., max_length=2000)


class HarmIn(Strict):
    harm: str = Field(..., max_length=2000)
    medical_costs: str = Field("", max_length=20, description="元，最多两位小数")
    family: str = Field(..., max_length=2000)
    household_size: str = Field("", max_length=3)
    monthly_income: str = Field("", max_length=20)


class ReceivedIn(Strict):
    compensation_yuan: str = Field("", max_length=20)
    other_aid: str = Field("", max_length=1000)


class BankIn(Strict):
    address: str = Field(..., max_length=200)
    account_holder: str = Field(..., max_length=50)
    bank_name: str = Field(..., max_length=60)
    bank_account: str = Field(..., max_length=40)


class ApplicationIn(Strict):
    client_reference: str = Field(..., pattern=REF_PATTERN, description="客户端自己的编号；同一编号只建一件申请")
    org: str = Field("", max_length=6, description="受理检察院代码（本客户端范围内），默认为客户端所属检察院")
    applicant: ApplicantIn
    victim: VictimIn
    case: CaseIn
    harm: HarmIn
    received: ReceivedIn = ReceivedIn(compensation_yuan="", other_aid="")
    bank: BankIn


class ClueIn(Strict):
    client_reference: str = Field(..., pattern=REF_PATTERN)
    org: str = Field("", max_length=6)
    person_name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=20)
    original_case_number: str = Field("", max_length=80)
    charge: str = Field("", max_length=80)
    summary: str = Field(..., min_length=1, max_length=2000)


class SubmissionOut(Schema):
    id: int
    kind: str
    receipt_number: str
    org: str
    state: str
    case_number: str | None
    created: bool


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]] | None = None


class DeadlineOut(Schema):
    kind: str
    label: str
    starts_on: dt.date
    due_on: dt.date
    completed_on: dt.date | None
    paused: bool
    outcome: str


class CaseOut(Schema):
    number: str
    org: str
    status: str
    status_label: str
    channel: str
    raised_on: dt.date
    applied_on: dt.date | None
    accepted_on: dt.date | None
    decided_on: dt.date | None
    decision: str
    decided_amount: Decimal | None
    paid_amount: Decimal
    paid_on: dt.date | None
    next_due: dt.date | None
    updated_at: dt.datetime
    deadlines: list[DeadlineOut]


class CaseListOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="下一页的游标（作为 cursor 传回）；null 表示没有更多")
    next_changed_since: dt.datetime | None = Field(
        description="已废弃，只为兼容保留：本页最后一件的变化时间。请改用 next_cursor。",
        json_schema_extra={"deprecated": True})


def _submission(app: Any, created: bool) -> dict[str, Any]:
    return {"id": app.pk, "kind": app.kind, "receipt_number": app.receipt_number, "org": app.org.code,
            "state": app.state, "case_number": app.case.number if app.case_id else None, "created": created}


def _case_out(case: AidCase) -> dict[str, Any]:
    return {
        "number": case.number, "org": case.handling_org.code, "status": case.status,
        "status_label": case.get_status_display(), "channel": case.channel, "raised_on": case.raised_on,
        "applied_on": case.applied_on, "accepted_on": case.accepted_on, "decided_on": case.decided_on,
        "decision": case.decision, "decided_amount": case.decided_amount, "paid_amount": case.paid_amount,
        "paid_on": case.paid_on, "next_due": case.next_due, "updated_at": case.updated_at,
        "deadlines": [{"kind": d.kind, "label": d.get_kind_display(), "starts_on": d.starts_on, "due_on": d.due_on,
                       "completed_on": d.completed_on, "paused": d.paused_on is not None, "outcome": d.outcome}
                      for d in case.deadlines.all()],
    }


def _case_qs(client: ApiClient) -> Any:
    return (_cases(client).select_related("handling_org")
            .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("starts_on", "pk"))))


# ---------------------------------------------------------------------------------------------
# Endpoints


@api.post("/applications", response={200: SubmissionOut, 201: SubmissionOut, 403: ErrorOut, 404: ErrorOut,
                                      422: ErrorOut, 429: ErrorOut}, summary="移送一件救助申请（按客户端编号幂等）")
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    from jiuzhu.portal.actions import submit_from_client, validate_sections
    from jiuzhu.portal.models import OnlineApplication
    from jiuzhu.portal.otp import normalise_phone

    client = _client(request, Scope.SUBMIT)
    existing = OnlineApplication.objects.filter(client=client, client_reference=payload.client_reference).first()
    if existing is not None:
        return Status(200, _submission(existing, False))
    org = _org_in_scope(client, payload.org)
    data = payload.dict()
    sections = {k: data[k] for k in ("applicant", "victim", "case", "harm", "received", "bank")}
    sections["case"]["org"] = org.code
    phone = sections["applicant"].pop("phone", "")
    cleaned, errors = validate_sections(sections, list(sections))
    if phone:
        try:
            phone = normalise_phone(phone)
        except Exception as e:  # noqa: BLE001 - a ValidationError with a Chinese message
            errors.append({"loc": ["applicant", "phone"], "msg": " ".join(getattr(e, "messages", [str(e)]))})
    if errors:
        return Status(422, {"detail": "提交的数据有误，请按字段说明修改。", "errors": errors})
    app, created = submit_from_client(client, kind=OnlineApplication.Kind.APPLICATION,
                                      reference=payload.client_reference, org=org, phone=phone, answers=cleaned,
                                      applicant_name=cleaned["applicant"]["name"])
    return Status(201 if created else 200, _submission(app, created))


@api.post("/clues", response={200: SubmissionOut, 201: SubmissionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut,
                               429: ErrorOut}, summary="移送一条救助线索（按客户端编号幂等）")
def create_clue(request: HttpRequest, payload: ClueIn) -> Any:
    from jiuzhu.cases.forms import IdNumberField
    from jiuzhu.portal.actions import submit_from_client
    from jiuzhu.portal.models import OnlineApplication
    from jiuzhu.portal.otp import normalise_phone

    client = _client(request, Scope.SUBMIT)
    existing = OnlineApplication.objects.filter(client=client, client_reference=payload.client_reference).first()
    if existing is not None:
        return Status(200, _submission(existing, False))
    org = _org_in_scope(client, payload.org)
    errors: list[dict[str, Any]] = []
    id_number = phone = ""
    try:
        id_number = IdNumberField(required=False).clean(payload.id_number)
    except Exception as e:  # noqa: BLE001
        errors.append({"loc": ["id_number"], "msg": " ".join(getattr(e, "messages", [str(e)]))})
    if payload.phone:
        try:
            phone = normalise_phone(payload.phone)
        except Exception as e:  # noqa: BLE001
            errors.append({"loc": ["phone"], "msg": " ".join(getattr(e, "messages", [str(e)]))})
    if not payload.person_name.strip():
        errors.append({"loc": ["person_name"], "msg": "此项必须填写。"})
    if not payload.summary.strip():
        errors.append({"loc": ["summary"], "msg": "此项必须填写。"})
    if errors:
        return Status(422, {"detail": "提交的数据有误，请按字段说明修改。", "errors": errors})
    answers = {"applicant": {"name": payload.person_name.strip(), "id_number": id_number},
               "case": {"original_case_number": payload.original_case_number, "charge": payload.charge},
               "summary": payload.summary.strip()}
    app, created = submit_from_client(client, kind=OnlineApplication.Kind.CLUE, reference=payload.client_reference,
                                      org=org, phone=phone, answers=answers, applicant_name=payload.person_name)
    return Status(201 if created else 200, _submission(app, created))


@api.get("/submissions/{client_reference}", response={200: SubmissionOut, 403: ErrorOut, 404: ErrorOut,
                                                        429: ErrorOut}, summary="按客户端编号查询移送结果")
def get_submission(request: HttpRequest, client_reference: str) -> Any:
    from jiuzhu.portal.models import OnlineApplication

    client = _client(request, Scope.SUBMIT)
    app = (OnlineApplication.objects.select_related("org", "case")
           .filter(client=client, client_reference=client_reference).first())
    if app is None:
        return Status(404, {"detail": "没有该编号的移送记录。"})
    return Status(200, _submission(app, False))


@api.get("/cases/{number}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
         summary="查询一件案件的状态和办理期限")
def get_case(request: HttpRequest, number: str) -> Any:
    client = _client(request, Scope.READ_CASES)
    case = _case_qs(client).filter(number=number).first()
    if case is None:
        return Status(404, {"detail": "案件不存在。"})
    return Status(200, _case_out(case))


def _as_utc(when: dt.datetime) -> dt.datetime:
    """Return WHEN in UTC (naive: the server's zone). PostgreSQL takes no offset beyond ±15:59, and an
    instant before year 1 or after 9999 in UTC is clamped to the first or last representable one."""
    from django.utils import timezone

    if when.tzinfo is None:
        when = timezone.make_aware(when)
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:
        if when.year < 5000:
            return dt.datetime.min.replace(tzinfo=dt.UTC)
        return dt.datetime.max.replace(tzinfo=dt.UTC)


class ChangedQuery(Schema):
    changed_since: dt.datetime | None = Field(None, description="第一页：返回此时间之后（含）有变化的案件（ISO 8601）")
    cursor: str | None = Field(None, max_length=200,
                               description="后续各页：上一页返回的 next_cursor，原样传回（与 changed_since 同时给出时以 cursor 为准）")
    limit: int = Field(100, ge=1, le=500)


CURSOR_SALT = "jiuzhu.api.cases.cursor"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


class CursorError(Exception):
    pass


def make_cursor(client: ApiClient, case: AidCase) -> str:
    """An opaque, signed position after CASE in the (updated_at, id) order, exact to the microsecond."""
    return signing.dumps({"c": client.pk, "t": (case.updated_at - _EPOCH) // _MICROSECOND, "i": case.pk},
                         salt=CURSOR_SALT)


def read_cursor(client: ApiClient, cursor: str) -> tuple[dt.datetime, int]:
    """The (updated_at, id) a cursor of CLIENT stands for; CursorError when it is not one we issued to it."""
    try:
        value = signing.loads(cursor, salt=CURSOR_SALT)
        if value["c"] != client.pk or not isinstance(value["t"], int) or not isinstance(value["i"], int):
            raise CursorError()
        return _EPOCH + value["t"] * _MICROSECOND, value["i"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise CursorError() from None


@api.get("/cases", response={200: CaseListOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
         summary="列出某时间以后有变化的案件（按变化时间、编号排序；第一页用 changed_since，以后各页用 next_cursor）",
         description="按 (updated_at, id) 排序的键集分页：第一页给出 changed_since，以后每页把上一页的 next_cursor "
                     "原样作为 cursor 传回，直到 next_cursor 为 null。每件有变化的案件恰好出现一次，即使很多案件的"
                     "变化时间相同。游标经签名，被改动的游标被拒绝（422）。next_changed_since 只为兼容旧客户端保留，"
                     "用它翻页会重复返回边界上的案件，不要再用。")
def list_cases(request: HttpRequest, filters: Query[ChangedQuery]) -> Any:
    client = _client(request, Scope.READ_CASES)
    rows = _case_qs(client)
    if filters.cursor:
        try:
            at, pk = read_cursor(client, filters.cursor)
        except CursorError:
            message = "分页游标无效（不完整、已被改动或不属于本客户端），请用 changed_since 从第一页重新开始。"
            return Status(422, {"detail": message, "errors": [{"loc": ["cursor"], "msg": message}]})
        rows = rows.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk))
    elif filters.changed_since is not None:
        rows = rows.filter(updated_at__gte=_as_utc(filters.changed_since))
    else:
        message = "请提供 changed_since（第一页）或 cursor（以后各页）。"
        return Status(422, {"detail": "提交的数据有误，请按字段说明修改。",
                            "errors": [{"loc": ["changed_since"], "msg": message}]})
    page = list(rows.order_by("updated_at", "pk")[:filters.limit + 1])
    more = len(page) > filters.limit
    page = page[:filters.limit]
    return Status(200, {"items": [_case_out(c) for c in page],
                        "next_cursor": make_cursor(client, page[-1]) if more else None,
                        "next_changed_since": page[-1].updated_at if more else None})


class StatsQuery(Schema):
    # The one date policy (lib/dates.py): a period from the earliest year to the planning horizon.
    date_from: ApiDate = Field(..., alias="from")
    date_to: ApiDate = Field(..., alias="to")
    org: str = Field("", max_length=6)


@api.get("/stats", response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}, summary="统计数据（contracts §4 的对象）")
def stats(request: HttpRequest, filters: Query[StatsQuery]) -> Any:
    client = _client(request, Scope.READ_STATS)
    if filters.date_to < filters.date_from:
        return Status(422, {"detail": "结束日期不能早于开始日期。", "errors": [{"loc": ["to"], "msg": "结束日期不能早于开始日期。"}]})
    org = _org_in_scope(client, filters.org)
    return Status(200, stats_adapter.compute(org, filters.date_from, filters.date_to))


__all__ = ["api", "Q"]
