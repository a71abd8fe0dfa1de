"""The one shape of a state-changing screen: post → validate → action → Chinese message → redirect.

Every app's views use `run_action` (or `report_form_errors` / `report_error` where a view must
render instead of redirect), so that a form error, a domain error (each app's errors are
`ValidationError` subclasses with Chinese messages) and a success read the same everywhere, and no
view writes a model itself: the callable it is given is an action.

    def agreement_status(request, pk):
        ...
        form = forms.StatusForm(request.POST)
        return run_action(
            request, form,
            lambda data: actions.set_agreement_status(agreement, acting_user=user, **data),
            success="已变更代管协议状态。", redirect_to=("custody:case", case.pk))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

RedirectTarget = str | Sequence[Any]


def report_form_errors(request: HttpRequest, form: django_forms.BaseForm) -> None:
    """One message per invalid field, prefixed by the field's (Chinese) label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{errors[0]}" if label else errors[0])


def report_error(request: HttpRequest, error: ValidationError) -> None:
    """Each message of a domain error (a ValidationError subclass) as a Chinese error message."""
    for message in error.messages:
        messages.error(request, message)


def _redirect(target: RedirectTarget) -> HttpResponse:
    if isinstance(target, str):
        return redirect(target)
    name, *args = target
    return redirect(name, *args)


def run_action(
    request: HttpRequest,
    form: django_forms.BaseForm | None,
    action: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    redirect_to: RedirectTarget,
    failure_redirect_to: RedirectTarget | None = None,
) -> HttpResponse:
    """Validate FORM (if any), call ACTION with its cleaned data, report, redirect.

    ACTION runs only for a valid form; a ValidationError it raises (every app's domain error) becomes
    the error message and changes nothing (the action runs in its own transaction). SUCCESS is the
    message, or a function of the action's result giving it. REDIRECT_TO is a URL or a
    (url name, *args) sequence; FAILURE_REDIRECT_TO, if given, is used after an error instead.
    PermissionDenied and Http404 raised by the action pass through (403 / 404).
    """
    back = failure_redirect_to if failure_redirect_to is not None else redirect_to
    if form is not None and not form.is_valid():
        report_form_errors(request, form)
        return _redirect(back)
    data: dict[str, Any] = dict(form.cleaned_data) if form is not None else {}
    try:
        result = action(data)
    except ValidationError as error:
        report_error(request, error)
        return _redirect(back)
    messages.success(request, success(result) if callable(success) else success)
    return _redirect(redirect_to)
