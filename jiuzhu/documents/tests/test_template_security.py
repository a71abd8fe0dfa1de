"""Issue 11, finding 1: a .docx template cannot run code, at upload or at render, and national templates are guarded.

The red team's template hung an attribute chain off an allowed name (`case_number.__class__…`)
and ran `id` when a procurator issued a notice. Every template is now checked against an
allow-list of its kind (documents.sandbox.Policy) at upload and again as it is compiled, and
rendered in a narrowed ImmutableSandboxedEnvironment.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError

from jiuzhu.cases.actions import CaseActionError
from jiuzhu.cases.models import CaseEvent
from jiuzhu.documents import actions, builder, render, sandbox
from jiuzhu.documents.context import template_policy
from jiuzhu.documents.models import DocumentTemplate, IssuedDocument, Kind, NumberSequence
from jiuzhu.documents.tests.conftest import case_for, docx_of, handler, text_of
from jiuzhu.lib import clock

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPLOIT = ("{%% for c in case_number.__class__.__mro__[1].__subclasses__() %%}"
           "{%% if c.__name__ == '_wrap_close' %%}{{ c.__init__.__globals__['popen']('touch %s').read() }}"
           "{%% endif %%}{%% endfor %%}")


def _docx(*lines: str, base: str | None = Kind.NOTICE, header: str = "", title: str = "") -> bytes:
    d = Document(io.BytesIO(builder.build_default_template(base))) if base else Document()
    for line in lines:
        d.add_paragraph(line)
    if header:
        d.sections[0].header.paragraphs[0].text = header
    if title:
        d.core_properties.title = title
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _upload(client, org_pk, data: bytes, kind: str = Kind.NOTICE):  # type: ignore[no-untyped-def]
    return client.post("/admin/documents/documenttemplate/add/", {
        "kind": kind, "org": org_pk if org_pk is not None else "", "note": "",
        "upload": SimpleUploadedFile("模板.docx", data, content_type=DOCX)})


def _refusal(data: bytes, kind: str = Kind.NOTICE) -> str:
    with pytest.raises(ValidationError) as e:
        render.placeholders(data, kind)
    return "".join(e.value.messages)


# ---------------------------------------------------------------------------------------------
# At upload


def test_the_red_teams_template_is_refused_at_upload_naming_the_tag(world, admin_client, tmp_path) -> None:
    marker = tmp_path / "pwned"
    response = _upload(admin_client, world.orgs["540500"].pk, _docx("告知 " + EXPLOIT % marker))
    assert response.status_code == 200
    assert "不允许的模板标签：{{ case_number.__class__ }}（不允许访问属性）" in response.content.decode()
    assert not DocumentTemplate.objects.filter(org__isnull=False).exists()
    assert not marker.exists()


@pytest.mark.parametrize(("where", "data"), [
    ("header", lambda: _docx(header="{{ case_number.__class__ }}")),
    ("core property title", lambda: _docx(title="{{ case_number.__class__ }}")),
    ("body", lambda: _docx("{{ case_number.__class__ }}")),
])
def test_an_attribute_chain_is_refused_wherever_docxtpl_would_render_it(where, data) -> None:
    assert _refusal(data()) == "不允许的模板标签：{{ case_number.__class__ }}（不允许访问属性）", where


@pytest.mark.parametrize(("tag", "shown"), [
    ("{% set x = applicant_name %}", "{% set x … %}"),
    ("{% include 'x.docx' %}", "{% include … %}"),
    ("{% import 'x' as y %}", "{% import … %}"),
    ("{% macro m() %}x{% endmacro %}", "{% macro … %}"),
    ("{% with a = 1 %}{% endwith %}", "{% with … %}"),
    ("{% autoescape false %}{{ applicant_name }}{% endautoescape %}", "{% autoescape … %}"),
    ("{% filter upper %}x{% endfilter %}", "{% filter … %}"),
    ("{{ applicant_name.upper() }}", "{{ applicant_name.upper }}"),
    ("{{ applicant_name['upper'] }}", "{{ applicant_name['upper'] }}"),
    ("{{ applicant_name|safe }}", "{{ applicant_name|safe }}"),
    ("{{ applicant_name|replace('', 'xxxxxxxx') }}", "{{ applicant_name|replace('', 'xxxxxxxx') }}"),
    ("{{ applicant_name|join('" + "x" * 30 + "') }}", "{{ applicant_name|join('" + "x" * 30 + "') }}"),
    ("{{ applicant_name * 100000 }}", "{{ applicant_name * 100000 }}"),
    ("{{ amount }}", "{{ amount }}"),  # a field, but not a notice's
    ("{{ _private }}", "{{ _private }}"),
    ("{{ categories[0] }}", "{{ categories[0] }}"),
    ("{% for c in applicant_name %}{% endfor %}", "{% for c in applicant_name %}"),
    ("{% for c in categories %}{% for d in materials_required %}{% endfor %}{% endfor %}",
     "{% for d in materials_required %}"),
    ("{% for c in categories %}{{ c.upper }}{% endfor %}", "{{ c.upper }}"),
    ("{% for c in categories %}{{ loop.cycle }}{% endfor %}", "{{ loop.cycle }}"),
    ("{% if applicant_name.__len__ %}x{% endif %}", "{% if applicant_name.__len__ %}"),
])
def test_tags_outside_the_allow_list_are_refused_in_chinese(tag, shown) -> None:
    message = _refusal(_docx(tag, base=None))
    assert message.startswith(f"不允许的模板标签：{shown}（"), message


def test_names_the_system_does_not_know_keep_their_own_message() -> None:
    assert "系统不认识的占位符：lipsum" in _refusal(_docx("{{ lipsum.__globals__ }}", base=None))


def test_simple_ifs_loops_rows_counters_and_filters_are_allowed() -> None:
    data = _docx("{% if applicant_name and not charge %}{{ applicant_name|default('无')|trim }}{% endif %}",
                 "{% for item in items %}{{ loop.index }}. {{ item.name }} {{ item['copies'] }}{% endfor %}",
                 "{{ received_date }}{{ items|length }}", base=None)
    assert render.placeholders(data, Kind.MATERIALS_LIST) == ["applicant_name", "charge", "items", "received_date"]
    # A row key of one list is not a key of another.
    assert "{{ item.ground }}" in _refusal(_docx("{% for item in items %}{{ item.ground }}{% endfor %}", base=None),
                                           Kind.MATERIALS_LIST)


@pytest.mark.parametrize("kind", Kind.values)
def test_every_default_template_passes_its_kinds_allow_list(kind) -> None:
    names = render.placeholders(builder.build_default_template(kind), kind)
    assert names and set(names) <= template_policy(kind).fields


IDENT = st.from_regex(r"\A_{0,2}[a-z][a-z_]{0,12}\Z", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(base=st.sampled_from(sorted(template_policy(Kind.MATERIALS_LIST).fields)),
       chain=st.lists(IDENT, min_size=1, max_size=5),
       ending=st.sampled_from(["", "()", "[0]", "|upper", "('id')"]))
def test_any_attribute_chain_off_a_field_is_refused(base, chain, ending) -> None:
    expr = base + "".join(f".{a}" for a in chain) + ending
    policy = template_policy(Kind.MATERIALS_LIST)
    env = sandbox.SafeEnvironment(policy)
    with pytest.raises(sandbox.TemplateRefused) as e:
        policy.check(env.parse_unchecked("{{ " + expr + " }}"))
    assert str(e.value).startswith(f"不允许的模板标签：{{{{ {base}.{chain[0]} }}}}（")


# ---------------------------------------------------------------------------------------------
# At render (a template stored before the check, or written to the database directly)


def _store_unchecked(kind: str, org, data: bytes) -> DocumentTemplate:  # type: ignore[no-untyped-def]
    DocumentTemplate.objects.filter(kind=kind, org=org).update(is_active=False)
    tpl = DocumentTemplate(kind=kind, org=org, version=99, sha256=render.sha256(data), placeholders=["case_number"],
                           note="", is_active=True, uploaded_at=clock.now())
    tpl.file.save(f"{kind}.docx", ContentFile(data), save=False)
    tpl.save()
    return tpl


def test_an_exploit_stored_in_the_database_is_not_executed_and_nothing_is_issued(world, tmp_path) -> None:
    marker = tmp_path / "pwned"
    actions.ensure_default_template(Kind.NOTICE)
    _store_unchecked(Kind.NOTICE, world.orgs["540500"], _docx("告知 " + EXPLOIT % marker))
    case, _ = case_for(world, Kind.NOTICE)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(CaseActionError) as e:
        actions.issue_document(case, Kind.NOTICE, acting_user=handler(world))
    message = "".join(e.value.messages)
    assert "未通过安全检查" in message and "{{ case_number.__class__ }}" in message and "系统管理员" in message
    assert not marker.exists()
    assert not IssuedDocument.objects.filter(case=case).exists()
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not NumberSequence.objects.filter(last__gt=0).exists()  # the 文号 taken inside rolled back


def test_the_sandbox_itself_refuses_attributes_and_calls_when_the_allow_list_is_bypassed() -> None:
    class Unchecked(sandbox.SafeEnvironment):
        def _parse(self, source, name, filename):  # type: ignore[no-untyped-def]
            return self.parse_unchecked(source)

    env = Unchecked(template_policy(Kind.NOTICE))
    for source in ["{{ s.__class__ }}", "{{ s.upper }}", "{{ s.__class__.__mro__ }}", "{{ s['format'] }}",
                   "{{ d.items() }}", "{{ range(10) }}", "{{ 'a' * 999999999 }}", "{{ -s }}"]:
        with pytest.raises(SecurityError):
            env.from_string(source).render(s="x", d={"a": 1})
    assert env.from_string("{% for r in rows %}{{ loop.index }}{{ r.no }}{% endfor %}").render(
        rows=[{"no": "甲"}]) == "1甲"


def test_the_context_is_reduced_to_plain_data() -> None:
    from django.utils.translation import gettext_lazy

    from jiuzhu.cases.models import AidCase

    out = sandbox.plain({"a": AidCase.Decision.GRANT, "b": gettext_lazy("x"), "c": [Decimal("1.5"), 3, True, None]})
    assert out == {"a": "grant", "b": "x", "c": [Decimal("1.5"), 3, True, ""]}
    assert type(out["a"]) is str and type(out["b"]) is str
    for bad in [object(), print, 1.5, {"_x": 1}, {1: "a"}, [AidCase()]]:
        with pytest.raises(TypeError):
            sandbox.plain({"v": bad})


# ---------------------------------------------------------------------------------------------
# Who may change a national template


def test_a_city_administrator_cannot_upload_or_activate_a_national_template(world, client) -> None:
    city_admin = world.user("540500", "admin")
    client.force_login(city_admin)
    response = _upload(client, None, _docx("新全国样式 {{ case_number }}"))
    assert response.status_code == 200
    assert actions.NATIONAL_TEMPLATE_REFUSED in response.content.decode()
    assert not DocumentTemplate.objects.filter(org__isnull=True, note="").exists()
    with pytest.raises(PermissionDenied):
        actions.upload_template(Kind.NOTICE, org=None, data=_docx(), acting_user=city_admin)
    with pytest.raises(PermissionDenied):  # nor another branch of the tree
        actions.upload_template(Kind.NOTICE, org=world.orgs["540000"], data=_docx(), acting_user=city_admin)
    national = actions.ensure_default_template(Kind.NOTICE)
    with pytest.raises(PermissionDenied):
        actions.activate_template(national, acting_user=city_admin)
    # Their own subtree is theirs; the province's administrator may change the national default.
    own = actions.upload_template(Kind.NOTICE, org=world.orgs["540528"], data=_docx(), acting_user=city_admin)
    assert own.is_active
    new = actions.upload_template(Kind.NOTICE, org=None, data=_docx("全国"), acting_user=world.user("540000", "admin"))
    assert new.is_active and new.version == national.version + 1


def test_an_old_stored_template_that_fails_the_allow_list_cannot_be_activated_again(world) -> None:
    bad = _store_unchecked(Kind.NOTICE, None, _docx("{{ case_number.__class__ }}"))
    bad.is_active = False
    bad.save()
    with pytest.raises(CaseActionError) as e:
        actions.activate_template(bad, acting_user=world.user("540000", "admin"))
    assert "不能启用" in "".join(e.value.messages)


def test_a_clean_upload_still_renders_the_uploaders_text(world, admin_client) -> None:
    response = _upload(admin_client, world.orgs["540500"].pk, _docx("山南市院样式 {{ case_number }}"))
    assert response.status_code == 302, response.content.decode()[:2000]
    case, _ = case_for(world, Kind.NOTICE)
    doc = actions.issue_document(case, Kind.NOTICE, acting_user=handler(world))
    assert f"山南市院样式 {case.number}" in text_of(docx_of(doc))
