"""Interpreters on the record (issue 16): who interpreted an oral application, a talk, a home visit or a
service, in which language. The ID number is encrypted and masked like every person's (people.fields,
people.idcard); records and documents show the masked form only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.people import idcard

INTERPRETER_LANGUAGES = [("bo", "藏语"), ("other", "其他语言")]
INTERPRETER_FIELD_NAMES = ("interpreter_name", "interpreter_id_number", "interpreter_language")


class InterpreterFieldsForm(forms.Form):
    """The interpreter's three fields, for every form that records a talk with the applicant (oral application,
    record, service …); shown after the form's own fields. interpreter_fields() checks what was entered."""

    interpreter_name = forms.CharField(label="翻译人员", max_length=50, required=False,
                                       help_text="通过翻译进行的，填写翻译人员姓名、身份证号码和语言。")
    interpreter_id_number = forms.CharField(label="翻译人员身份证号码", max_length=20, required=False,
                                            help_text="加密保存，文书和列表只显示脱敏号码。")
    interpreter_language = forms.ChoiceField(label="翻译语言", required=False,
                                             choices=[("", "—")] + INTERPRETER_LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django puts a base class's fields first: move these three after the form's own.
        self.fields = {**{k: f for k, f in self.fields.items() if k not in INTERPRETER_FIELD_NAMES},
                       **{k: self.fields[k] for k in INTERPRETER_FIELD_NAMES}}


def interpreter_fields(*, name: str = "", id_number: str = "", language: str = "",
                       error: type[ValidationError] = ValidationError) -> dict[str, Any]:
    """Check an interpreter's details and return the model fields to store (all empty when there is none).

    Raises ERROR in Chinese: a number or language without a name, an unknown language, a wrong ID number."""
    name, id_number, language = name.strip(), id_number.strip(), language.strip()
    if not (name or id_number or language):
        return {"interpreter_name": "", "interpreter_id_number": "", "interpreter_id_masked": "",
                "interpreter_language": ""}
    if not name:
        raise error("请填写翻译人员姓名。")
    if language not in dict(INTERPRETER_LANGUAGES):
        raise error("请选择翻译语言。")
    masked = ""
    if id_number:
        try:
            value = idcard.parse_id_number(id_number).value
        except ValidationError as e:
            raise error(f"翻译人员{e.messages[0]}") from e
        masked, id_number = idcard.mask_id_number(value), idcard.normalise(id_number)
    return {"interpreter_name": name[:50], "interpreter_id_number": id_number, "interpreter_id_masked": masked,
            "interpreter_language": language}


def interpreter_text(obj: Any) -> str:
    """'翻译人员：扎西（藏语，身份证号码540528********1239）' for a record with an interpreter, else ''."""
    if not getattr(obj, "interpreter_name", ""):
        return ""
    language = dict(INTERPRETER_LANGUAGES).get(obj.interpreter_language, obj.interpreter_language)
    id_part = f"，身份证号码{obj.interpreter_id_masked}" if obj.interpreter_id_masked else ""
    return f"翻译人员：{obj.interpreter_name}（{language}{id_part}）"
