"""Outbound messages: render a template, write the record, send after the commit."""

from __future__ import annotations

import logging
import string
from typing import Any

from django.db import IntegrityError, transaction

from jiuzhu.lib import clock, crypto, jobs
from jiuzhu.notifications.models import MessageTemplate, OutboundMessage
from jiuzhu.people.idcard import mask_phone

logger = logging.getLogger("jiuzhu.notifications")
TO_CONTEXT = "notifications.outboundmessage.to"

# The wording used when an administrator has not written their own (rows of MessageTemplate win).
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "otp": ("【国家司法救助】您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。", "网上申请登录验证码"),
    "receipt": ("【国家司法救助】您的救助申请已提交，回执号{receipt}。{org}将在5个工作日内审查材料，"
                "可凭手机号登录网上申请平台查看进度。", "申请人：申请已提交"),
    "supplement": ("【国家司法救助】您的救助申请（回执号{receipt}）需要补充材料：{missing}。"
                   "请于{due}前登录网上申请平台上传。", "申请人：需要补正材料"),
    "accepted": ("【国家司法救助】您的救助申请（回执号{receipt}）已被{org}受理。", "申请人：已受理"),
    "decision": ("【国家司法救助】{org}已对您的救助申请（回执号{receipt}）作出决定：{decision}。"
                 "详情请登录网上申请平台查看。", "申请人：已作出决定"),
    "payment": ("【国家司法救助】救助金{amount}元已发放，请注意查收。回执号{receipt}。", "申请人：救助金已发放"),
    # The same three messages for an applicant who did not apply online (a walk-in …): by the case number.
    "case_accepted": ("【国家司法救助】您的救助申请（案件编号{case_number}）已被{org}受理。", "申请人（来访等）：已受理"),
    "case_decision": ("【国家司法救助】{org}已对您的救助申请（案件编号{case_number}）作出决定：{decision}。"
                      "决定书将依法送达。", "申请人（来访等）：已作出决定"),
    "case_payment": ("【国家司法救助】救助金{amount}元已发放，请注意查收。案件编号{case_number}。",
                     "申请人（来访等）：救助金已发放"),
    "staff_notice": ("【国家司法救助】{text}", "工作人员：新的网上申请、期限即将届满、逾期等站内通知的短信"),
}

# The same messages in Standard Tibetan (issue 16), for applicants whose language is 'bo'. The SMS
# signature stays 【国家司法救助】 (gateways require the registered Chinese one); names of procuratorates and
# staff-written notes are filled in as written. Back-translations: docs/translations/bo-review.csv.
DEFAULT_TEMPLATES_BO: dict[str, str] = {
    "otp": "【国家司法救助】ཁྱེད་ཀྱི་ར་སྤྲོད་ཨང་གྲངས་ནི་ {code} ཡིན། སྐར་མ་ {minutes} ནང་ནུས་པ་ཡོད། "
           "གཞན་ལ་མ་བཤད་རོགས།",
    "receipt": "【国家司法救助】ཁྱེད་ཀྱི་ཁྲིམས་དོན་སྐྱབས་སྐྱོར་ཞུ་སྙན་ཕུལ་ཟིན། ཐོབ་འཛིན་ཨང་གྲངས་ནི་ {receipt} ཡིན། "
               "{org} ཡིས་ལས་ཉིན་ 5 ནང་ཡིག་ཆ་ཞིབ་བཤེར་བྱེད་ངེས། ཁ་པར་ཨང་གྲངས་ཀྱིས་དྲ་ཐོག་ཞུ་སྙན་སྟེགས་བུར་"
               "ནང་འཛུལ་ནས་བྱ་རིམ་ལྟ་ཆོག",
    "supplement": "【国家司法救助】ཁྱེད་ཀྱི་སྐྱབས་སྐྱོར་ཞུ་སྙན་（ཐོབ་འཛིན་ཨང་གྲངས་ {receipt}）ལ་ཡིག་ཆ་ཁ་སྐོང་དགོས། "
                  "{missing}། {due} ཡི་སྔོན་ལ་དྲ་ཐོག་ཞུ་སྙན་སྟེགས་བུར་ནང་འཛུལ་ནས་ཡར་འཇུག་གནང་རོགས།",
    "accepted": "【国家司法救助】ཁྱེད་ཀྱི་སྐྱབས་སྐྱོར་ཞུ་སྙན་（ཐོབ་འཛིན་ཨང་གྲངས་ {receipt}）{org} ཡིས་ལེན་ཟིན།",
    "decision": "【国家司法救助】{org} ཡིས་ཁྱེད་ཀྱི་སྐྱབས་སྐྱོར་ཞུ་སྙན་（ཐོབ་འཛིན་ཨང་གྲངས་ {receipt}）ལ་ཐག་གཅོད་བྱས་ཟིན། "
                "{decision}། ཞིབ་ཕྲ་དྲ་ཐོག་ཞུ་སྙན་སྟེགས་བུར་ནང་འཛུལ་ནས་ལྟ་རོགས།",
    "payment": "【国家司法救助】སྐྱབས་སྐྱོར་དངུལ་སྒོར་ {amount} སྤྲད་ཟིན། ཞིབ་དཔྱད་གནང་རོགས། ཐོབ་འཛིན་ཨང་གྲངས་ {receipt}།",
    # To an applicant who did not apply online (a walk-in …): by the case number (གནད་དོན་ཨང་གྲངས་).
    "case_accepted": "【国家司法救助】ཁྱེད་ཀྱི་སྐྱབས་སྐྱོར་ཞུ་སྙན་（གནད་དོན་ཨང་གྲངས་ {case_number}）{org} ཡིས་ལེན་ཟིན།",
    "case_decision": "【国家司法救助】{org} ཡིས་ཁྱེད་ཀྱི་སྐྱབས་སྐྱོར་ཞུ་སྙན་（གནད་དོན་ཨང་གྲངས་ {case_number}）ལ་ཐག་གཅོད་བྱས་ཟིན། "
                     "{decision}། ཐག་གཅོད་ཡིག་ཆ་ཁྲིམས་ལུགས་ལྟར་སྤྲོད་ངེས།",
    "case_payment": "【国家司法救助】སྐྱབས་སྐྱོར་དངུལ་སྒོར་ {amount} སྤྲད་ཟིན། ཞིབ་དཔྱད་གནང་རོགས། གནད་དོན་ཨང་གྲངས་ {case_number}།",
}
MESSAGE_LANGUAGES = ("zh-hans", "bo")


def default_text(key: str, language: str = "zh-hans") -> str:
    """The built-in wording of KEY in LANGUAGE (Chinese where there is no translation, e.g. staff messages)."""
    if language == "bo" and key in DEFAULT_TEMPLATES_BO:
        return DEFAULT_TEMPLATES_BO[key]
    return DEFAULT_TEMPLATES[key][0]


class _Keep(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message_language(language: str | None) -> str:
    return language if language in MESSAGE_LANGUAGES else "zh-hans"


def render(key: str, *, language: str = "zh-hans", **values: Any) -> str:
    """Return the text of message KEY in LANGUAGE, from the administrator's template or the default."""
    language = message_language(language)
    row = MessageTemplate.objects.filter(key=key, language=language).first()
    text = row.text if row else default_text(key, language)
    try:
        return string.Formatter().vformat(text, (), _Keep(values))[:500]
    except (ValueError, IndexError):  # a template an administrator broke: send the default instead
        logger.warning("message template %s (%s) is malformed; using the default", key, language)
        return string.Formatter().vformat(default_text(key, language), (), _Keep(values))[:500]


def queue(key: str, *, to: str, dedupe_key: str, case: Any = None, language: str = "zh-hans",
          **values: Any) -> OutboundMessage | None:
    """Record a message to TO (in LANGUAGE, kept on the record) and send it once the transaction commits.

    Returns None when a message with DEDUPE_KEY exists already (the same event twice).
    """
    if not to:
        return None
    msg = OutboundMessage(key=key, to=crypto.encrypt(to, context=TO_CONTEXT), to_masked=mask_phone(to),
                          text=render(key, language=language, **values), language=message_language(language),
                          case=case, dedupe_key=dedupe_key[:120],
                          created_at=clock.now())
    try:
        with transaction.atomic():
            msg.save()
    except IntegrityError:
        return None
    pk = msg.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return msg


def _enqueue(pk: int) -> None:
    try:
        jobs.enqueue("deliver_message", pk)
    except Exception:  # the queue is down: the retry sweep sends it later
        logger.exception("could not enqueue message %s", pk)


def deliver(pk: int) -> str:
    """Send message PK now (outside any transaction) and record the outcome; returns the new state."""
    from jiuzhu.notifications.sms import SmsError, get_backend

    msg = OutboundMessage.objects.filter(pk=pk).first()
    if msg is None or msg.state == OutboundMessage.State.SENT:
        return msg.state if msg else "missing"
    to = crypto.decrypt(bytes(msg.to), context=TO_CONTEXT) if msg.to else ""
    try:
        get_backend().send(to, msg.text)
    except SmsError as e:
        OutboundMessage.objects.filter(pk=pk).update(state=OutboundMessage.State.FAILED, error=str(e)[:300],
                                                     attempts=msg.attempts + 1)
        return OutboundMessage.State.FAILED
    OutboundMessage.objects.filter(pk=pk).update(state=OutboundMessage.State.SENT, sent_at=clock.now(),
                                                 attempts=msg.attempts + 1, error="")
    return OutboundMessage.State.SENT


def send_now(to: str, text: str) -> None:
    """Send a message that must not wait for the worker (a one-time code); raises SmsError."""
    from jiuzhu.notifications.sms import get_backend

    get_backend().send(to, text)
