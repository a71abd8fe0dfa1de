"""The one shape of a state-changing screen: post → validate → action → Chinese message → redirect.

Every app's views use `run_action` (a POST that always redirects) or `run_form` (a form page that is
shown again with its errors), so that a form error, a domain error (each app's errors are
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


def add_error_to_form(form: django_forms.BaseForm, error: ValidationError) -> None:
    """Put a domain error on FORM: on the field it names (a dict error), else on the form as a whole."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


def report_form_errors(request: HttpRequest, form: django_forms.BaseForm, *, joined: bool = False) -> None:
    """One message per invalid field, prefixed by the field's (Chinese) label (JOINED: all in one, "；")."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines.append(f"{label}：{errors[0]}" if label else errors[0])
    for line in ["；".join(lines)] if joined else lines:
        messages.error(request, line)


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
    join_form_errors: bool = False,
) -> HttpResponse:
    """Validate FORM (if any), call ACTION with its cleaned data, report, redirect.

    ACTION runs only for a valid form; a ValidationError it raises (every app's domain error) becomes
    the error message and changes nothing (the action runs in its own transaction). SUCCESS is the
    message, or a function of the action's result giving it. REDIRECT_TO is a URL or a
    (url name, *args) sequence; FAILURE_REDIRECT_TO, if given, is used after an error instead.
    JOIN_FORM_ERRORS: the form's errors in one message (the money screens' short forms).
    PermissionDenied and Http404 raised by the action pass through (403 / 404).
    """
    back = failure_redirect_to if failure_redirect_to is not None else redirect_to
    if form is not None and not form.is_valid():
        report_form_errors(request, form, joined=join_form_errors)
        return _redirect(back)
    data: dict[str, Any] = dict(form.cleaned_data) if form is not None else {}
    try:
        result = action(data)
    except ValidationError as error:
        report_error(request, error)
        return _redirect(back)
    messages.success(request, success(result) if callable(success) else success)
    return _redirect(redirect_to)


def run_form(
    request: HttpRequest,
    form: django_forms.BaseForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    redirect_to: RedirectTarget | Callable[[Any], RedirectTarget],
) -> HttpResponse | None:
    """The form-page shape: on a POST with a valid FORM, call ACTION with its cleaned data; on success show
    the SUCCESS message and return the redirect (REDIRECT_TO, or a function of the action's result giving
    it). Otherwise (a GET, an invalid form, a domain error now on the form) return None: the view renders
    its page with the bound form.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(dict(form.cleaned_data))
    except ValidationError as error:
        add_error_to_form(form, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return _redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
