"""Benchmark: a national deployment (about 3,000 procuratorates, a million cases) on PostgreSQL.

Generates the data set with set-based SQL (INSERT … SELECT over generate_series; no actions), then
measures every screen that a target speaks of, side by side with its floor and its naive baseline:

- the floor: every SQL statement the request ran (captured with CaptureQueriesContext), re-run raw
  through the same connection and fetched: what the page would cost with no framework at all;
- the naive baseline: the Django admin changelist of AidCase (COUNT(*) and OFFSET paging), for the
  worklist pages; bare openpyxl read-only iteration of the same workbook, for the ledger import.

`.venv/bin/python bench/national.py --cases 100000` (default 1,000,000; DATABASE_URL must be PostgreSQL,
default the jiuzhu_nat database). `--reuse` measures the data already generated (after a code change);
`--import-only N` (internal) imports N ledger rows in a rolled-back transaction, run under
/usr/bin/time -v for the peak memory. Prints one table and ends with
`national: K of M targets met at N cases`; exits 0 either way (CI asserts counts and plans, not times:
jiuzhu/tests_smoke/test_national.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if __name__ == "__main__":
    tmp = tempfile.mkdtemp(prefix="jiuzhu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings_test")
    os.environ["JIUZHU_VAR_DIR"] = tmp
    os.environ.setdefault("DATABASE_URL", "postgres://jiuzhu:jiuzhu@127.0.0.1:5432/jiuzhu_nat")

    import django

    django.setup()

from django.db import connection, models  # noqa: E402

PROVINCES = [  # (code prefix, name): the 31 provincial-level procuratorates
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
]
CITIES, COUNTIES = 10, 9  # per province, per city: 1 + 31 + 310 + 2,790 = 3,132 procuratorates
N_PROV = len(PROVINCES)
FIRST_CITY = 2 + N_PROV  # ids: 1 the nation, 2.. provinces, then cities, then counties
FIRST_COUNTY = FIRST_CITY + N_PROV * CITIES
N_ORGS = FIRST_COUNTY + N_PROV * CITIES * COUNTIES - 1
YEARS = 10
CIPHERS = 2000  # distinct ciphertexts per encrypted field, reused (the blind index stays distinct)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉力永健世广海山仁波宁贵福生龙元全胜学祥才发成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict):
        return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
    return "'" + str(value).replace("'", "''") + "'"


def insert_select(model: type[models.Model], source: str, values: dict[str, str], *, note: str = "") -> int:
    """INSERT INTO MODEL's table every row of SOURCE (a FROM clause), VALUES giving column → SQL expression.

    Columns not given take the model's default (auto_now fields now(), nullable ones NULL, blank text
    ''), so a new NOT NULL field without a default fails here loudly instead of silently.
    """
    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.column in values:
            expr = values[f.column]
        elif f.primary_key:
            continue
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            expr = "now()"
        elif f.has_default():
            expr = sql_literal(f.get_default())
        elif f.null:
            expr = "NULL"
        elif f.blank and isinstance(f, models.CharField | models.TextField):
            expr = "''"
        else:
            raise ValueError(f"{model.__name__}.{f.name}: the generator gives it no value")
        cols.append(connection.ops.quote_name(f.column))
        exprs.append(f"{expr} AS {connection.ops.quote_name(f.column)}")
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {source}")
        n = cur.rowcount
    log(f"  {model._meta.db_table:<28}{n:>10} rows {time.perf_counter() - start:7.1f} s {note}")
    return n


def log(text: str) -> None:
    print(text, flush=True)


def set_sequences() -> None:
    with connection.cursor() as cur:
        for model in _generated_models():
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table}), 1))")


def _generated_models() -> list[type[models.Model]]:
    """Every model whose table the generator fills, in the order it fills them (the tree first)."""
    from jiuzhu.accounts.models import Membership, User
    from jiuzhu.cases.models import (
        AidCase,
        ApprovalStep,
        CaseEvent,
        CaseGroup,
        CaseParty,
        Deadline,
        ReviewOpinion,
    )
    from jiuzhu.funds.models import Budget, Contribution, LedgerEntry, Payment
    from jiuzhu.orgs.models import Organisation
    from jiuzhu.people.models import Person
    from jiuzhu.support.models import PartnerAgency, Referral, Service, Visit

    return [Organisation, User, Membership, Person, AidCase, CaseParty, CaseGroup, CaseEvent, Deadline,
            ReviewOpinion, ApprovalStep, Budget, Contribution, Payment, LedgerEntry, PartnerAgency, Referral,
            Service, Visit]


def hmac_sql(context: str, value_sql: str) -> str:
    """HMAC-SHA256 of f"{context}\\0{value}" in SQL (RFC 2104 from sha256()): equal to crypto.blind_index."""
    from django.conf import settings

    key = settings.BLIND_INDEX_KEY.encode()
    if len(key) > 64:
        import hashlib

        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    opad = bytes(b ^ 0x5C for b in key).hex()
    msg = f"convert_to('{context}', 'UTF8') || '\\x00'::bytea || convert_to(upper({value_sql}), 'UTF8')"
    return (f"encode(sha256('\\x{opad}'::bytea || sha256('\\x{ipad}'::bytea || {msg})), 'hex')")


def id_number_sql(i: str) -> str:
    """A resident ID number of person I: a county area code, a birth date and a sequence (check digit X)."""
    return (f"(lpad((110101 + ({i} % 9000))::text, 6, '0') || to_char(date '1940-01-01' + (({i}::bigint * 7919) % 25000)::int, "
            f"'YYYYMMDD') || lpad(({i} / 9000 % 1000)::text, 3, '0') || 'X')")


def defer_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """Drop the foreign keys of TABLES and their indexes that back no constraint; return (table, DDL) that puts
    them back, the indexes first.

    A bulk load is cheaper without them: one sort per index at the end instead of a B-tree insert per row,
    one check per foreign key instead of a queued trigger per row (Django's are DEFERRABLE INITIALLY
    DEFERRED, so they all fire at the commit). Primary keys, unique and check constraints stay: the unique
    ones are loaded row by row as before (built fresh, AidCase's (handling_org, number) is so compact that
    the planner reads a county's 49 cases through it at 20,000 cases instead of case_worklist_org_due_idx,
    which tests_smoke/test_national.py asserts).
    """
    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid), NULL
              FROM pg_constraint c
             WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype = 'f'
            UNION ALL
            SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, 'i', NULL,
                   pg_get_indexdef(i.indexrelid)
              FROM pg_index i
             WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)""",
                    [tables, tables])
        found = cur.fetchall()
        restore = []
        for kind in ("f", "i"):  # drop the foreign keys first, restore them last
            for table, name, k, definition, indexdef in found:
                if k != kind:
                    continue
                if k == "i":
                    cur.execute(f"DROP INDEX {name}")
                    restore.append((table, indexdef))
                else:
                    cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    restore.append((table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    return restore[::-1]


def restore_indexes(restore: list[tuple[str, str]]) -> None:
    """Run the DDL of defer_indexes(), logging the seconds per table."""
    spent: dict[str, float] = {}
    with connection.cursor() as cur:
        for table, ddl in restore:
            start = time.perf_counter()
            cur.execute(ddl)
            spent[table] = spent.get(table, 0.0) + time.perf_counter() - start
    counts = {t: sum(1 for x, _ in restore if x == t) for t in spent}
    for table, secs in spent.items():
        log(f"  {table:<28}{counts[table]:>10} idx/fk {secs:5.1f} s (built after the load)")


def generate(n_cases: int) -> float:
    """Fill the empty database with the national data set; return the seconds it took."""
    from django.conf import settings

    from jiuzhu.lib import clock, crypto

    m = SimpleNamespace(**{model.__name__: model for model in _generated_models()})

    if m.AidCase.objects.exists() or m.Organisation.objects.exists():
        raise SystemExit("national.py generates into an empty database (or use --reuse): drop and recreate it.")
    started = time.perf_counter()
    today = clock.today()
    day0 = today - dt.timedelta(days=365 * YEARS)
    log(f"generating {n_cases} cases over {day0} … {today}")
    cur = connection.cursor()
    cur.execute("SET LOCAL synchronous_commit = off")
    cur.execute("SET LOCAL work_mem = '64MB'")
    cur.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the index builds after the load
    # The bulk-loaded tables take their indexes and foreign keys after the load (restore_indexes below).
    deferred = defer_indexes([x._meta.db_table for x in _generated_models() if x not in (
        m.Organisation, m.User, m.Membership, m.PartnerAgency, m.Budget)])
    prov_values = ", ".join(f"({k}, '{c}', '{n}')" for k, (c, n) in enumerate(PROVINCES))
    cur.execute(f"CREATE TEMP TABLE bench_prov (k int, code text, name text); INSERT INTO bench_prov VALUES {prov_values}")

    # The tree: the nation, 31 provinces, 10 cities each, 9 counties each (materialised paths of ids).
    insert_select(m.Organisation, "(VALUES (1)) v(x)", {
        "id": "1", "code": "'100000'", "name": "'最高人民检察院'", "short_name": "'最高检'", "level": "'province'",
        "parent_id": "NULL", "path": "'/1/'", "province_code": "''"})
    insert_select(m.Organisation, "bench_prov p", {
        "id": "2 + p.k", "code": "p.code || '0000'", "name": "p.name || '人民检察院'", "short_name": "p.name",
        "level": "'province'", "parent_id": "1", "path": "'/1/' || (2 + p.k) || '/'", "province_code": "p.code || '0000'"})
    insert_select(m.Organisation, f"bench_prov p, generate_series(0, {CITIES - 1}) c", {
        "id": f"{FIRST_CITY} + p.k * {CITIES} + c", "code": "p.code || lpad((c + 1)::text, 2, '0') || '00'",
        "name": "p.name || '第' || (c + 1) || '市人民检察院'", "short_name": "p.name || (c + 1) || '市'",
        "level": "'city'", "parent_id": "2 + p.k", "path": f"'/1/' || (2 + p.k) || '/' || ({FIRST_CITY} + p.k * {CITIES} + c) || '/'",
        "province_code": "p.code || '0000'"})
    insert_select(m.Organisation, f"bench_prov p, generate_series(0, {CITIES - 1}) c, generate_series(0, {COUNTIES - 1}) kk", {
        "id": f"{FIRST_COUNTY} + (p.k * {CITIES} + c) * {COUNTIES} + kk",
        "code": "p.code || lpad((c + 1)::text, 2, '0') || lpad((kk + 1)::text, 2, '0')",
        "name": "p.name || '第' || (c + 1) || '市第' || (kk + 1) || '县人民检察院'",
        "short_name": "p.name || (c + 1) || '市' || (kk + 1) || '县'", "level": "'county'",
        "parent_id": f"{FIRST_CITY} + p.k * {CITIES} + c",
        "path": (f"'/1/' || (2 + p.k) || '/' || ({FIRST_CITY} + p.k * {CITIES} + c) || '/' || "
                 f"({FIRST_COUNTY} + (p.k * {CITIES} + c) * {COUNTIES} + kk) || '/'"),
        "province_code": "p.code || '0000'"})
    # One procurator (控申检察官) per procuratorate, user id = org id; unusable passwords.
    insert_select(m.User, "orgs_organisation o", {
        "id": "o.id", "password": "'!'", "username": "'u' || o.code", "full_name": "'检察官' || o.code",
        "is_superuser": "false", "is_staff": "false", "is_active": "true", "date_joined": "now()",
        "first_name": "''", "last_name": "''", "email": "''"})
    insert_select(m.Membership, "orgs_organisation o", {"user_id": "o.id", "org_id": "o.id", "role": "'kongshen'"})
    insert_select(m.PartnerAgency, f"orgs_organisation o WHERE o.id >= {FIRST_CITY} AND o.id < {FIRST_COUNTY}", {
        "org_id": "o.id", "kind": "'civil_affairs'", "name": "o.short_name || '民政局'"})

    # Each case in one pass: its random draws (r_org who handles it, r_day when, r_st its state, r_amt, r_x),
    # its procuratorate, its day, its state by age and its decision (no UPDATE passes over it).
    # 92 % handled by counties (skewed: a few large ones), 6 % by cities, 2 % by provinces.
    n_co, n_ci = N_PROV * CITIES * COUNTIES, N_PROV * CITIES
    # The state by age, with realistic shares: recent cases spread over the open states, older ones closed.
    status = """CASE
        WHEN age < 60 THEN (ARRAY['clue','notified','applied','awaiting_supplement','accepted','accepted',
            'under_review','under_review','under_review','pending_approval','pending_approval','granted','refused',
            'served','awaiting_payment','paid','advance_requested','advance_granted','follow_up','closed'])
            [1 + floor(r_st * 20)::int]
        WHEN age < 365 THEN (ARRAY['paid','follow_up','follow_up','follow_up','closed','closed','closed','closed',
            'closed','closed','closed','closed','closed','closed','archived','abandoned','refused','awaiting_payment',
            'served','closed'])[1 + floor(r_st * 20)::int]
        ELSE (ARRAY['archived','archived','archived','archived','archived','archived','archived','archived',
            'archived','archived','archived','closed','closed','closed','closed','closed','closed','closed',
            'abandoned','follow_up'])[1 + floor(r_st * 20)::int] END"""
    cur.execute(f"""CREATE TEMP TABLE bench_case AS SELECT c.*, CASE
        WHEN status IN ('granted','served','awaiting_payment','paid','follow_up') THEN 'grant'
        WHEN status = 'refused' THEN 'refuse'
        WHEN status IN ('closed','archived') THEN CASE WHEN r_x < 0.85 THEN 'grant' ELSE 'refuse' END
        ELSE '' END AS decision
      FROM (SELECT d.*, {status} AS status FROM (SELECT s.*,
        CASE WHEN r_org < 0.92 THEN {FIRST_COUNTY} + floor({n_co} * power(r_org / 0.92, 1.4))::int
             WHEN r_org < 0.98 THEN {FIRST_CITY} + floor({n_ci} * (r_org - 0.92) / 0.06)::int
             ELSE 2 + floor({N_PROV} * (r_org - 0.98) / 0.02)::int END AS org,
        date '{day0}' + floor(r_day * {365 * YEARS})::int AS raised,
        date '{today}' - (date '{day0}' + floor(r_day * {365 * YEARS})::int) AS age
        FROM (SELECT i, random() r_org, random() r_day, random() r_st, random() r_amt, random() r_x
              FROM generate_series(1, {n_cases}) i) s) d) c""")
    cur.execute("CREATE UNIQUE INDEX ON bench_case (i); ANALYZE bench_case")

    # Persons: encrypted fields from a pool of CIPHERS ciphertexts, distinct blind indexes computed in SQL.
    t = time.perf_counter()
    cur.execute("CREATE TEMP TABLE bench_cipher (k int PRIMARY KEY, id_ct bytea, phone_ct bytea, addr_ct bytea, "
                "bank_ct bytea, pay_ct bytea)")

    def ctx(model: Any, name: str) -> str:
        return model._meta.get_field(name)._context()  # type: ignore[no-any-return]
    rows = [(k, crypto.encrypt(f"11010119800101{k:04d}"[:17] + "X", context=ctx(m.Person, "id_number")),
             crypto.encrypt(f"139{k:08d}", context=ctx(m.Person, "phone")),
             crypto.encrypt(f"某某街道{k}号", context=ctx(m.Person, "address")),
             crypto.encrypt(f"6222{k:015d}", context=ctx(m.Person, "bank_account")),
             crypto.encrypt(f"6222{k:015d}", context=ctx(m.Payment, "account"))) for k in range(CIPHERS)]
    with cur.copy("COPY bench_cipher FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)
    log(f"  {'(ciphertext pool)':<28}{CIPHERS * 5:>10} values {time.perf_counter() - t:5.1f} s (Python AES-GCM, COPY)")
    ns, ng = len(SURNAMES), len(GIVEN)
    idn = id_number_sql("s.i")
    insert_select(m.Person, "bench_case s JOIN bench_cipher c ON c.k = s.i % 2000", {
        "id": "s.i", "name": (f"substr('{SURNAMES}', 1 + (s.i * 31) % {ns}, 1) || substr('{GIVEN}', 1 + (s.i * 17) % {ng}, 1)"
                              f" || CASE WHEN s.r_x < 0.7 THEN substr('{GIVEN}', 1 + (s.i * 7) % {ng}, 1) ELSE '' END"),
        "id_number": "c.id_ct", "id_number_bidx": hmac_sql("people.person.id_number", idn),
        "id_number_masked": f"substr({idn}, 1, 6) || '********' || substr({idn}, 15, 4)",
        "sex": "CASE WHEN s.i % 2 = 0 THEN 'F' ELSE 'M' END",
        "birth_date": f"to_date(substr({idn}, 7, 8), 'YYYYMMDD')", "ethnicity": "'汉族'",
        "phone": "c.phone_ct", "address": "c.addr_ct", "bank_account": "c.bank_ct", "bank_name": "'中国农业银行'",
        "created_at": "s.raised::timestamptz"}, note=f"({CIPHERS} ciphertexts reused; blind index HMAC in SQL)")

    open_due = "CASE WHEN s.status IN ('clue','notified','applied','awaiting_supplement','accepted','under_review'," \
               "'pending_approval','granted','served','awaiting_payment','advance_requested') " \
               "THEN s.raised + 10 + floor(s.r_x * 60)::int END"
    decided = "LEAST(s.raised + 15 + floor(s.r_x * 20)::int, date '" + str(today) + "')"
    amount = "(1000 + floor(s.r_amt * 600) * 100)::numeric(12,2)"
    paid = "s.decision = 'grant' AND s.status IN ('paid','follow_up','closed','archived')"
    insert_select(m.AidCase, "bench_case s", {
        "id": "s.i", "number": "'救' || extract(year FROM s.raised) || '-' || s.i", "handling_org_id": "s.org",
        "status": "s.status", "channel": "(ARRAY['case_department','12309_centre','online','walk_in','partner',"
                                        "'ex_officio'])[1 + (s.i % 6)]",
        "is_ex_officio": "s.i % 6 = 5", "handler_id": "s.org", "applicant_id": "s.i", "raised_on": "s.raised",
        "notified_on": "CASE WHEN s.status <> 'clue' THEN s.raised + 1 END",
        "applied_on": "CASE WHEN s.status NOT IN ('clue','notified') THEN s.raised + 3 END",
        "application_form": "CASE WHEN s.status NOT IN ('clue','notified') THEN 'written' ELSE '' END",
        "accepted_on": "CASE WHEN s.status NOT IN ('clue','notified','applied','awaiting_supplement') THEN s.raised + 5 END",
        "category": "'E' || (1 + s.i % 7)",
        "proposed_amount": f"CASE WHEN s.decision <> '' OR s.status = 'pending_approval' THEN {amount} END",
        "decision": "s.decision", "decided_on": f"CASE WHEN s.decision <> '' THEN {decided} END",
        "decided_amount": f"CASE WHEN s.decision = 'grant' THEN {amount} END", "decided_by_id": "CASE WHEN s.decision <> '' THEN s.org END",
        "refusal_grounds": "CASE WHEN s.decision = 'refuse' THEN '[\"X5\"]'::jsonb ELSE '[]'::jsonb END",
        "served_on": f"CASE WHEN s.decision <> '' AND s.status NOT IN ('granted') THEN {decided} END",
        "funds_arrived_on": f"CASE WHEN {paid} OR s.status = 'awaiting_payment' THEN {decided} END",
        "payment_method": "CASE WHEN s.decision = 'grant' THEN 'lump_sum' ELSE '' END",
        "paid_amount": f"CASE WHEN {paid} THEN {amount} ELSE 0 END", "paid_on": f"CASE WHEN {paid} THEN {decided} END",
        "closed_on": f"CASE WHEN s.status IN ('closed','archived','abandoned') THEN {decided} END",
        "archived_on": f"CASE WHEN s.status = 'archived' THEN {decided} + 30 END",
        "next_due": open_due,
        "awaiting_role": "CASE WHEN s.status = 'pending_approval' THEN (ARRAY['dept_head','deputy_chief','chief'])[1 + s.i % 3] ELSE '' END",
        "created_at": "s.raised::timestamptz",
        "updated_at": f"LEAST(({decided} + (s.i % 86400) * interval '1 second')::timestamptz, now())"})
    insert_select(m.CaseParty, "bench_case s", {"case_id": "s.i", "person_id": "s.i", "role": "'applicant'"})
    insert_select(m.CaseGroup, "bench_case s WHERE s.i % 2 = 0 AND s.r_x < 0.5", {"case_id": "s.i", "group": "'妇女'"})
    insert_select(m.CaseGroup, "bench_case s WHERE s.r_amt < 0.12", {
        "case_id": "s.i", "group": "(ARRAY['残疾人','退役军人','因案致贫','农村困难群众'])[1 + s.i % 4]"})
    # Events: created, then one per stage reached (2–6 a case); chained per the null org (seq = id).
    cur.execute("SELECT pg_get_serial_sequence('cases_caseevent', 'id')")  # once, not per row
    event_seq = cur.fetchone()[0]
    stage = """(ARRAY['clue','notified','applied','accepted','under_review','pending_approval','granted','served',
               'awaiting_payment','paid','closed'])"""
    reached = """CASE s.status WHEN 'clue' THEN 1 WHEN 'notified' THEN 2 WHEN 'applied' THEN 3 WHEN 'awaiting_supplement' THEN 3
        WHEN 'accepted' THEN 4 WHEN 'under_review' THEN 5 WHEN 'pending_approval' THEN 6 WHEN 'granted' THEN 7
        WHEN 'refused' THEN 7 WHEN 'served' THEN 8 WHEN 'awaiting_payment' THEN 9 WHEN 'paid' THEN 10
        WHEN 'advance_requested' THEN 5 WHEN 'advance_granted' THEN 5 ELSE 11 END"""
    insert_select(m.CaseEvent, f"bench_case s, generate_series(1, 11) st WHERE st <= {reached} AND (st = 1 OR st >= {reached} - 1)", {
        "case_id": "s.i", "kind": "CASE WHEN st = 1 THEN 'created' ELSE 'transition' END",
        "action": f"CASE WHEN st = 1 THEN 'raise_clue' ELSE 'to_' || {stage}[st] END",
        "old_status": f"CASE WHEN st = 1 THEN '' ELSE {stage}[st - 1] END",
        "new_status": f"CASE WHEN st = {reached} AND s.status NOT IN ('clue') THEN s.status ELSE {stage}[st] END",
        "actor_id": "s.org", "at": "(s.raised + st * 2)::timestamptz", "data": "'{}'::jsonb", "org_id": "NULL",
        "seq": f"nextval('{event_seq}'::regclass)", "hash": "'bench'"})
    insert_select(m.Deadline, "bench_case s WHERE s.status NOT IN ('clue','notified','applied','awaiting_supplement')", {
        "case_id": "s.i", "kind": "'decision'", "starts_on": "s.raised + 5", "due_on": "s.raised + 19",
        "completed_on": f"CASE WHEN s.decision <> '' THEN {decided} END",
        "outcome": "CASE WHEN s.decision <> '' THEN 'done' WHEN s.status IN ('closed','archived','abandoned') THEN 'cancelled' ELSE '' END"})
    insert_select(m.Deadline, f"bench_case s WHERE {open_due} IS NOT NULL AND s.status IN ('clue','notified','applied','awaiting_supplement')", {
        "case_id": "s.i", "kind": "CASE WHEN s.status = 'awaiting_supplement' THEN 'supplement' ELSE 'supplement_notice' END",
        "starts_on": "s.raised", "due_on": open_due})
    insert_select(m.ReviewOpinion, "bench_case s WHERE s.decision <> '' OR s.status = 'pending_approval'", {
        "id": "s.i", "case_id": "s.i", "category": "'E' || (1 + s.i % 7)", "grounds": "'{}'::jsonb",
        "recommendation": "CASE WHEN s.decision = 'refuse' THEN 'refuse' ELSE 'grant' END",
        "proposed_amount": amount, "reasoning": "'经审查，符合救助条件。'", "submitted_by_id": "s.org",
        "submitted_at": "(s.raised + 12)::timestamptz"})
    insert_select(m.ApprovalStep, "bench_case s, generate_series(1, 2) st WHERE s.decision <> '' OR s.status = 'pending_approval'", {
        "case_id": "s.i", "opinion_id": "s.i", "seq": "st", "role": "(ARRAY['dept_head','deputy_chief'])[st]",
        "label": "(ARRAY['部门负责人审核','分管副检察长审批'])[st]",
        "status": "CASE WHEN s.status <> 'pending_approval' THEN 'approved' WHEN st = 1 THEN 'pending' ELSE 'waiting' END",
        "actor_id": "CASE WHEN s.status <> 'pending_approval' THEN s.org END",
        "acted_at": "CASE WHEN s.status <> 'pending_approval' THEN (s.raised + 13 + st)::timestamptz END"})
    first_year = day0.year
    ny = today.year - first_year + 1
    insert_select(m.Budget, f"orgs_organisation o, generate_series({first_year}, {today.year}) y", {
        "id": f"(o.id - 1) * {ny} + y - {first_year} + 1", "org_id": "o.id", "fiscal_year": "y", "appropriated": "5000000", "allocated": "5000000"})
    # The budget of (org, year), by arithmetic on the ids given above (no lookup per row).
    budget = f"(({{org}} - 1) * {ny} + extract(year FROM {decided})::int - {first_year} + 1)"
    # Joint aid: 5 % of the grants also paid 40 % by the city (or province) above the lead.
    joint = "s.r_x < 0.05 AND s.org >= " + str(FIRST_CITY)
    parent = f"(CASE WHEN s.org >= {FIRST_COUNTY} THEN {FIRST_CITY} + (s.org - {FIRST_COUNTY}) / {COUNTIES} ELSE 2 + (s.org - {FIRST_CITY}) / {CITIES} END)"
    insert_select(m.Contribution, "bench_case s WHERE s.decision = 'grant'", {
        "case_id": "s.i", "org_id": "s.org", "budget_id": budget.format(org="s.org"), "is_lead": "true",
        "amount": f"CASE WHEN {joint} THEN round({amount} * 0.6, 2) ELSE {amount} END"})
    insert_select(m.Contribution, f"bench_case s WHERE s.decision = 'grant' AND {joint}", {
        "case_id": "s.i", "org_id": parent, "budget_id": budget.format(org=parent),
        "amount": f"{amount} - round({amount} * 0.6, 2)"}, note="(joint aid)")
    insert_select(m.Payment, f"bench_case s JOIN bench_cipher c ON c.k = s.i % 2000 WHERE {paid}", {
        "id": "s.i", "case_id": "s.i", "budget_id": budget.format(org="s.org"), "instalment_no": "1", "amount": amount,
        "due_on": decided, "payee_kind": "'applicant'", "payee_name": "'申请人'", "bank_name": "'中国农业银行'",
        "account": "c.pay_ct", "account_masked": "'************' || lpad((s.i % 10000)::text, 4, '0')",
        "reference": "'P-' || s.i || '-1-1'", "status": "'paid'", "bank_reference": "'BK' || s.i",
        "ordered_on": decided, "paid_on": decided, "created_by_id": "s.org"})
    insert_select(m.LedgerEntry, "bench_case s WHERE s.decision = 'grant'", {
        "budget_id": budget.format(org="s.org"), "kind": "'commitment'", "amount": amount, "case_id": "s.i",
        "happened_on": decided, "actor_id": "s.org", "created_at": f"{decided}::timestamptz"})
    insert_select(m.LedgerEntry, f"bench_case s WHERE {paid}", {
        "budget_id": budget.format(org="s.org"), "kind": "'payment'", "amount": amount, "case_id": "s.i",
        "payment_id": "s.i", "happened_on": decided, "actor_id": "s.org", "created_at": f"{decided}::timestamptz"})
    city_of = f"(CASE WHEN s.org >= {FIRST_COUNTY} THEN {FIRST_CITY} + (s.org - {FIRST_COUNTY}) / {COUNTIES} " \
              f"WHEN s.org >= {FIRST_CITY} THEN s.org ELSE {FIRST_CITY} + (s.org - 2) * {CITIES} END)"
    insert_select(m.Referral, "bench_case s WHERE s.decision <> '' AND s.r_amt > 0.95", {
        "case_id": "s.i", "agency_id": f"(SELECT a.id FROM support_partneragency a WHERE a.org_id = {city_of})",
        "measures": "'[\"最低生活保障\"]'::jsonb", "situation": "'申请人生活困难，请予帮扶。'", "basis": "'consent'",
        "shared_fields": "'[]'::jsonb", "status": "'done'", "sent_on": decided, "due_on": f"{decided} + 30",
        "done_on": f"{decided} + 20", "token_hash": "md5(s.i::text) || md5(s.i::text)", "sent_by_id": "s.org"})
    insert_select(m.Service, "bench_case s WHERE s.decision = 'grant' AND s.r_amt > 0.8", {
        "org_id": "s.org", "case_id": "s.i", "kind": "(ARRAY['legal','counselling','care'])[1 + s.i % 3]",
        "provided_on": decided, "person_times": "1 + s.i % 3", "recorded_by_id": "s.org"})
    insert_select(m.Visit, f"bench_case s WHERE {paid} AND s.r_amt < 0.3", {
        "case_id": "s.i", "months_after": "3", "due_on": f"{decided} + 90",
        "held_on": f"CASE WHEN s.status <> 'follow_up' THEN {decided} + 95 END",
        "method": "CASE WHEN s.status <> 'follow_up' THEN 'phone' ELSE '' END", "visited_by_id": "s.org"})
    restore_indexes(deferred)
    set_sequences()
    cur.execute("DROP TABLE bench_case, bench_cipher, bench_prov")
    t = time.perf_counter()
    for model in _generated_models():
        cur.execute(f"ANALYZE {model._meta.db_table}")
    log(f"  {'ANALYZE':<28}{'':>10}      {time.perf_counter() - t:7.1f} s")
    # The blind index in SQL must be the application's: check one person.
    from jiuzhu.people.actions import id_blind_index

    with connection.cursor() as c2:
        c2.execute(f"SELECT {id_number_sql('id')}, id_number_bidx FROM people_person WHERE id = 1")
        number, bidx = c2.fetchone()
    assert id_blind_index(number) == bidx, "the SQL blind index differs from crypto.blind_index"
    del settings
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Measuring


class Result:
    def __init__(self, name: str, queries: int, ms: float, floor: float | None = None, base: float | None = None,
                 sqls: list[str] | None = None, slowest: tuple[float, str] | None = None) -> None:
        self.name, self.queries, self.ms, self.floor, self.base = name, queries, ms, floor, base
        self.sqls = sqls or []
        self.slowest = slowest


_RAW_RUNS: dict[tuple[str, int], list[float]] = {}  # (statement, runs) → its raw ms per run, measured once


def raw_floor(sqls: list[str], runs: int) -> tuple[float, tuple[float, str]]:
    """Median ms of running every SQL of SQLS raw through the connection; and the slowest statement.

    A statement already measured raw with as many runs (the same text: a worklist's capped count on its first
    and its deep page, the session and membership lookups of every page) keeps its times.
    """
    reads = {k: sql for k, sql in enumerate(sqls) if re.match(r"\s*(SELECT|WITH)\b", sql, re.I)}  # not the writes
    fresh = {k: [] for k, sql in reads.items() if (sql, runs) not in _RAW_RUNS}  # type: ignore[var-annotated]
    with connection.cursor() as cur:
        for _ in range(runs):  # run by run, each the request's statements in order
            for k, times in fresh.items():
                start = time.perf_counter()
                cur.execute(sqls[k])
                if cur.description:
                    cur.fetchall()
                times.append((time.perf_counter() - start) * 1000)
    for k, times in fresh.items():
        _RAW_RUNS.setdefault((sqls[k], runs), times)
    per = {k: _RAW_RUNS[sql, runs] for k, sql in reads.items()}
    totals = [sum(v[r] for v in per.values()) for r in range(runs)]
    slow = max(((statistics.median(v), sqls[k]) for k, v in per.items()), default=(0.0, ""))
    return statistics.median(totals) if totals else 0.0, slow


def timed(name: str, call: Callable[[], Any], runs: int, *, floor: bool = True, warm: bool = False) -> Result:
    from django.test.utils import CaptureQueriesContext

    if warm:  # a call first, so that the counted one is not the request that touches the session (4 more queries
        call()  # once a minute, accounts.middleware.TOUCH_EVERY): the case page's and the searches' bound is 20
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        start = time.perf_counter()
        call()
        first = (time.perf_counter() - start) * 1000
    sqls = [x["sql"] for x in q.captured_queries]
    times = [] if runs else [first]  # RUNS 0: the one (capturing) run is the measurement
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    res = Result(name, len(sqls), statistics.median(times), sqls=sqls)
    if floor:
        res.floor, res.slowest = raw_floor(sqls, max(runs, 1))
    log(f"  · {name}: {res.queries} queries, {res.ms:.1f} ms" + (f", floor {res.floor:.1f} ms" if res.floor else "")
        + f" ({time.perf_counter() - began:.0f} s)")
    return res


def get(client: Any, url: str, **extra: Any) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return response
    return call


def post(client: Any, url: str, data: dict[str, str]) -> Callable[[], Any]:
    def call() -> Any:
        response = client.post(url, data)
        assert response.status_code == 200, (url, response.status_code)
        return response
    return call


def deep_page_url(user: Any, url: str, pages: int) -> tuple[str, int]:
    """The URL of page PAGES + 1 of USER's worklist at URL (its last page if shorter) and the page number.

    The 下一页 link of page PAGES carries the position of that page's last row: found with one OFFSET query of
    the worklist's own queryset and cursor (cases.queries), instead of fetching the PAGES pages before it
    (the CI test follows the links: tests_smoke/test_national.py).
    """
    import inspect
    from urllib.parse import parse_qsl, urlencode

    from jiuzhu.cases import queries

    base, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    size = inspect.signature(queries.worklist_page).parameters["size"].default
    qs = queries.worklist(user, view=params.get("view") or "open", status=params.get("status", ""),
                          group=params.get("group", "")).prefetch_related(None)
    n = qs.order_by()[:pages * size + 1].count()
    before = min(pages, (n - 1) // size) if n else 0  # the full pages before the one measured
    if before < 1:
        return url, 1
    edge = qs.order_by(*queries.WORKLIST_ORDER)[before * size - 1]
    return f"{base}?{urlencode({**params, 'after': queries.worklist_cursor(edge)})}", before + 1


def ledger_book(n: int, prefix: str) -> bytes:
    from jiuzhu.stats.tests.helpers import id_number, workbook

    codes = [f"{c}{k:02d}{j:02d}" for c, _ in PROVINCES[:3] for k in range(1, 4) for j in range(1, 4)]
    rows = []
    for i in range(n):
        day = dt.date(2018, 1, 1) + dt.timedelta(days=i % 2900)
        grant = i % 10 != 0
        rows.append({"案件编号": f"{prefix}{i}", "承办院": codes[i % len(codes)], "申请人姓名": f"导入{i}",
                     "身份证号码": id_number(i % 1000, birth=f"19{50 + (i // 1000) % 40}{1 + i // 40000 % 12:02d}01"),
                     "人员类别": "妇女" if i % 3 == 0 else "", "救助情形": "E1", "受理日期": day,
                     "决定日期": day + dt.timedelta(days=5), "决定结果": "救助" if grant else "不予救助",
                     "救助金额(元)": "10000.00" if grant else None, "发放方式": "一次性" if grant else None,
                     "法律服务(人次)": 1 if i % 5 == 0 else None})
    return workbook(rows)


def import_only(n: int) -> None:
    """Import N generated ledger rows through the real check and import, then roll back (for /usr/bin/time)."""
    from django.db import transaction

    from jiuzhu.stats import ledger

    data = ledger_book(n, "IMP")
    start = time.perf_counter()
    with transaction.atomic():
        checked = ledger.check(io.BytesIO(data))
        assert not checked.errors, checked.errors[:3]
        written = ledger.import_rows(checked, acting_user=None)
        transaction.set_rollback(True)
    print(json.dumps({"rows": written, "seconds": time.perf_counter() - start}))


def openpyxl_read(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.active.iter_rows(values_only=True))
    wb.close()
    return n


def peak_rss_kb(n: int) -> tuple[int, float]:
    out = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "--import-only", str(n)],
                         capture_output=True, text=True, env=os.environ.copy(), check=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    secs = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
    return rss, secs


def explain(sql: str) -> str:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


def bench_users() -> dict[str, Any]:
    """The measured users: the largest county's procurator, its city's, its province's, the nation's."""
    from jiuzhu.accounts.models import User
    from jiuzhu.cases.models import AidCase
    from jiuzhu.orgs.models import Organisation

    county_id = (AidCase.objects.filter(handling_org__level="county").values("handling_org_id")
                 .annotate(n=models.Count("pk")).order_by("-n")[0]["handling_org_id"])
    county = Organisation.objects.get(pk=county_id)
    city, province = county.parent, county.parent.parent
    nation = Organisation.objects.get(pk=1)
    users = {k: User.objects.get(pk=o.pk) for k, o in
             (("county", county), ("city", city), ("province", province), ("nation", nation))}
    return {"orgs": {"county": county, "city": city, "province": province, "nation": nation}, "users": users}


def install_naive_admin() -> str:
    """Mount a plain ModelAdmin of AidCase (Django's defaults: COUNT(*), OFFSET paging) at /bench-admin/.

    The project registers no admin for cases (staff use the worklist); this one exists only inside the
    benchmark, as the naive baseline: the columns of the worklist, the relations it shows joined.
    """
    import types

    from django.conf import settings
    from django.contrib import admin
    from django.urls import clear_url_caches, include, path

    from jiuzhu.cases.models import AidCase

    site = admin.AdminSite(name="benchadmin")

    class NaiveCaseAdmin(admin.ModelAdmin):
        list_display = ["number", "handling_org", "applicant", "status", "raised_on", "next_due", "handler"]
        list_select_related = ["handling_org", "applicant", "handler"]

    site.register(AidCase, NaiveCaseAdmin)
    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench-admin/", site.urls), path("", include(settings.ROOT_URLCONF))]  # type: ignore[attr-defined]
    sys.modules["bench_urls"] = module
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()
    return "/bench-admin/cases/aidcase/"


def measure(n_cases: int, runs: int, *, stats_runs: int, skip_import: bool = False) -> list[Result]:
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from jiuzhu.accounts.models import User
    from jiuzhu.api import tokens
    from jiuzhu.cases.models import AidCase
    from jiuzhu.lib import clock

    settings.ALLOWED_HOSTS.append("testserver")
    settings.DEBUG = False
    logging.disable(logging.WARNING)  # the request log of every GET
    who = bench_users()
    orgs, users = who["orgs"], who["users"]
    clients = {}
    for k, u in users.items():
        clients[k] = Client()
        clients[k].force_login(u)
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"is_superuser": True, "is_staff": True})
    admin_client = Client()
    admin_client.force_login(admin)
    today = clock.today()
    results: list[Result] = []
    deep = 20  # the deep page: the 21st page of 50

    worklists = [("county", "/"), ("county", "/?view=all"), ("county", "/?view=overdue"),
                 ("county", "/?view=all&group=妇女"), ("city", "/"), ("city", "/?view=all"),
                 ("city", "/?view=all&status=closed"), ("province", "/?view=all"), ("province", "/?view=all&group=妇女")]
    changelist = install_naive_admin()
    admin_first = timed("admin changelist p.1", get(admin_client, changelist), runs, floor=False)
    admin_deep = timed(f"admin changelist p.{deep + 1}", get(admin_client, f"{changelist}?p={deep}"),
                       runs, floor=False)
    for who_, url in worklists:
        c = clients[who_]
        first = timed(f"worklist {who_} {url}", get(c, url), runs)
        first.base = admin_first.ms
        results.append(first)
        deep_url, number = deep_page_url(users[who_], url if "?" in url else url + "?view=open", deep)
        if number > 2:
            d = timed(f"  … deep page {number}", get(c, deep_url), runs)
            d.base = admin_deep.ms
            d.first = first.ms  # type: ignore[attr-defined]
            results.append(d)
    results += [admin_first, admin_deep]

    county = orgs["county"]
    case = AidCase.objects.filter(handling_org=county, decision="grant", status="follow_up").first() or \
        AidCase.objects.filter(handling_org=county).first()
    results.append(timed("case page", get(clients["county"], f"/cases/{case.pk}/"), runs, warm=True))
    person = case.applicant
    from jiuzhu.people.idcard import normalise

    with connection.cursor() as cur:
        cur.execute(f"SELECT {id_number_sql('id')} FROM people_person WHERE id = {int(person.pk)}")
        number = normalise(cur.fetchone()[0])
    results.append(timed("search by name (province)", post(clients["province"], "/search/", {"q": person.name}), runs, warm=True))
    results.append(timed("search by ID number (province)", post(clients["province"], "/search/", {"q": number}), runs, warm=True))

    start, end = f"{today.year - YEARS}-01-01", str(today)
    for k in ("nation", "province", "county"):
        o = orgs[k]
        # The nation's figures read every case: at a million, one run each (and one of the floor).
        n = stats_runs if k == "nation" else runs
        results.append(timed(f"statistics screen {k}", get(clients[k], f"/stats/?org={o.code}&start={start}&end={end}"), n))

        def cli(o: Any = o) -> None:
            call_command("stats", "--json", "--org", o.code, "--from", start, "--to", end, stdout=io.StringIO())
        results.append(timed(f"jiuzhu stats --json {k}", cli, n))
    year = today.year - 1
    results.append(timed(f"ledger export county {year}", get(
        clients["county"], f"/stats/export/ledger.xlsx?org={county.code}&start={year}-01-01&end={year}-12-31"), runs))

    client, token = tokens.issue(name="bench", org=orgs["province"], scopes=["read_cases"], rate_per_minute=100000)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    since = (clock.now() - dt.timedelta(days=60)).isoformat()
    results.append(timed("API changed cases (province)", get(api, "/api/v1/cases", data={"changed_since": since}), runs))

    if not skip_import:
        from jiuzhu.stats import ledger

        data = ledger_book(10000, "NAT")
        t = time.perf_counter()
        n = openpyxl_read(data)
        read_s = time.perf_counter() - t
        log(f"  · openpyxl read-only: {n - 1} rows in {read_s:.1f} s")
        rss_1k, _ = peak_rss_kb(1000)
        rss_10k, secs_10k = peak_rss_kb(10000)
        log(f"  · ledger import: 10,000 rows in {secs_10k:.1f} s; peak RSS {rss_1k} / {rss_10k} kB (1,000 / 10,000)")
        imp = Result("ledger import 10,000 rows", 0, secs_10k * 1000, base=read_s * 1000)
        imp.rss = (rss_1k, rss_10k)  # type: ignore[attr-defined]
        imp.rows = n - 1  # type: ignore[attr-defined]
        results.append(imp)
        del ledger
    return results


def report(results: list[Result], n_cases: int) -> None:
    targets: list[tuple[str, bool]] = []
    print(f"\n{'measured':<44}{'queries':>8}{'median ms':>11}{'floor ms':>10}{'×floor':>8}"
          f"{'naive ms':>10}{'naive/it':>9}  target")
    for r in results:
        marks = []
        ratio = f"{r.ms / r.floor:.2f}" if r.floor else ""
        naive = f"{r.base / r.ms:.1f}" if r.base else ""
        if r.name.startswith("worklist") or r.name.startswith("  … deep"):
            ok = r.floor is not None and r.ms <= 2 * r.floor
            targets.append((r.name, ok))
            marks.append(f"≤2×floor {'✓' if ok else '✗'}")
            ok = r.base is not None and r.base >= 10 * r.ms
            targets.append((r.name, ok))
            marks.append(f"≥10×admin {'✓' if ok else '✗'}")
            if hasattr(r, "first"):
                ok = r.ms <= 1.25 * r.first
                targets.append((r.name, ok))
                marks.append(f"deep≤first(±25%) {'✓' if ok else '✗'}")
        elif r.name.startswith(("case page", "search")):
            ok = r.queries < 20
            targets.append((r.name, ok))
            marks.append(f"<20 queries {'✓' if ok else '✗'}")
        elif "nation" in r.name and ("stat" in r.name):
            ok = r.floor is not None and r.ms <= 1.5 * r.floor
            targets.append((r.name, ok))
            marks.append(f"≤1.5×raw {'✓' if ok else '✗'}")
        elif r.name.startswith("ledger import"):
            rows = r.rows  # type: ignore[attr-defined]
            speed, read = rows / (r.ms / 1000), rows / (r.base / 1000)
            ok = speed >= 0.5 * read
            targets.append((r.name, ok))
            rss1, rss10 = r.rss  # type: ignore[attr-defined]
            ok2 = rss10 <= 2 * rss1
            targets.append((r.name + " memory", ok2))
            naive = f"{speed / read:.2f}"
            marks.append(f"{speed:,.0f} rows/s vs openpyxl {read:,.0f}: ≥50% {'✓' if ok else '✗'}; "
                         f"peak RSS {rss1 // 1024} MB/{rss10 // 1024} MB (1k/10k) ≤2× {'✓' if ok2 else '✗'}")
        floor = f"{r.floor:.1f}" if r.floor else ""
        base = f"{r.base:.1f}" if r.base else ""
        print(f"{r.name[:44]:<44}{r.queries:>8}{r.ms:>11.1f}{floor:>10}{ratio:>8}{base:>10}{naive:>9}  {'; '.join(marks)}")
    slow = max((r for r in results if r.slowest), key=lambda r: r.slowest[0])
    print(f"\nslowest statement ({slow.name}, {slow.slowest[0]:.1f} ms):\n{slow.slowest[1][:2000]}\n")
    try:
        print(explain(slow.slowest[1]))
    except Exception as exc:  # noqa: BLE001 - the report still ends with its line
        print(f"(EXPLAIN failed: {exc})")
    met = sum(ok for _, ok in targets)
    print(f"\nnational: {met} of {len(targets)} targets met at {n_cases} cases")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="measure the data set already in the database")
    parser.add_argument("--stats-runs", type=int, default=None,
                        help="runs of the nation's statistics (default --runs; 0 = the capturing run only, "
                             "from 300,000 cases)")
    parser.add_argument("--skip-import", action="store_true", help="leave out the ledger import")
    parser.add_argument("--import-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("national.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    if args.import_only:
        import_only(args.import_only)
        return
    from django.core.management import call_command

    from jiuzhu.cases.models import AidCase

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrate: {time.perf_counter() - t:.1f} s")
    if args.reuse:
        n = AidCase.objects.count()
        log(f"reusing {n} cases")
    else:
        from django.db import transaction

        with transaction.atomic():
            secs = generate(args.cases)
        n = args.cases
        log(f"generated in {secs:.0f} s")
    t = time.perf_counter()
    stats_runs = args.stats_runs if args.stats_runs is not None else (0 if n >= 300_000 else args.runs)
    results = measure(n, args.runs, stats_runs=stats_runs, skip_import=args.skip_import)
    log(f"measured in {time.perf_counter() - t:.0f} s")
    report(results, n)


if __name__ == "__main__":
    main()
