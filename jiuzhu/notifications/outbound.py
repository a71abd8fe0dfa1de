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


class _Keep(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(key: str, **values: Any) -> str:
    """Return the text of message KEY, from the administrator's template or the default."""
    row = MessageTemplate.objects.filter(key=key).first()
    text = row.text if row else DEFAULT_TEMPLATES[key][0]
    try:
        return string.Formatter().vformat(text, (), _Keep(values))[:500]
    except (ValueError, IndexError):  # a template an administrator broke: send the default instead
        logger.warning("message template %s is malformed; using the default", key)
        return string.Formatter().vformat(DEFAULT_TEMPLATES[key][0], (), _Keep(values))[:500]


def queue(key: str, *, to: str, dedupe_key: str, case: Any = None, **values: Any) -> OutboundMessage | None:
    """Record a message to TO and send it once the surrounding transaction commits.

    Returns None when a message with DEDUPE_KEY exists already (the same event twice).
    """
    if not to:
        return None
    msg = OutboundMessage(key=key, to=crypto.encrypt(to, context=TO_CONTEXT), to_masked=mask_phone(to),
                          text=render(key, **values), case=case, dedupe_key=dedupe_key[:120],
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
