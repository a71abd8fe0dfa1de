"""Who may be aided, and on what grounds aid is refused, as data (domain.md §3, §4.1, §11).

The official texts of the 2016 and 2021 Rules could not be retrieved (domain.md §0): the Chinese
wording below paraphrases the summaries the domain file cites, so the wording (not the substance)
is UNCONFIRMED. The codes E1–E7 and X1–X6 are the project's, shared with `cases.models.Category`
and `cases.models.RefusalGround` (the forms' choices), which this module does not change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiuzhu.people.groups import Group

RULES_2021 = "《人民检察院开展国家司法救助工作细则》"
RULES_2016 = "《人民检察院国家司法救助工作细则（试行）》"
OPINION_2014 = "《关于建立完善国家司法救助制度的意见（试行）》"


@dataclass(frozen=True)
class Reason:
    """One reason of an assessment: a category or a refusal ground, in Chinese."""

    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class CategoryDef:
    """An eligibility category (救助情形): who, and the conditions that must all hold."""

    code: str
    name: str  # short name, for lists
    who: str  # the applicant
    conditions: tuple[str, ...]  # each must hold
    text: str  # the category in one sentence, as a reason reads
    basis: str  # the provision

    def reason(self) -> Reason:
        return Reason(self.code, f"{self.text}（{self.basis}）。")


_NO_COMPENSATION = "因案件无法侦破、超过追诉时效，或者加害人死亡、没有赔偿能力，无法通过诉讼获得赔偿"

# The seven categories of the 2021 Rules, Art. 7 (domain.md §3.1) [S10][S11][S17]. That E1–E7 are
# Art. 7 items (一)–(七) in this order is an inference: the basis names the article only.
CATEGORIES: dict[str, CategoryDef] = {c.code: c for c in [
    CategoryDef(
        "E1", "刑事被害人重伤或严重残疾", "刑事被害人",
        ("受到犯罪侵害致重伤或者严重残疾", _NO_COMPENSATION, "生活困难"),
        f"刑事被害人受到犯罪侵害致重伤或者严重残疾，{_NO_COMPENSATION}，生活困难", f"{RULES_2021}第七条"),
    CategoryDef(
        "E2", "刑事被害人急需救治", "刑事被害人",
        ("受到犯罪侵害，身体受到伤害", "急需救治", "无力承担医疗救治费用"),
        "刑事被害人受到犯罪侵害身体受到伤害，急需救治，无力承担医疗救治费用", f"{RULES_2021}第七条"),
    CategoryDef(
        "E3", "被害人死亡或丧失劳动能力，其近亲属或被扶养人", "近亲属或者被扶养人",
        ("刑事被害人死亡或者丧失劳动能力", "申请人是其近亲属或者其赡养、扶养、抚养的其他人",
         "被害人的收入是申请人的主要生活来源", _NO_COMPENSATION, "生活困难"),
        "刑事被害人死亡或者丧失劳动能力，依靠其收入为主要生活来源的近亲属或者其赡养、扶养、抚养的其他人，"
        f"{_NO_COMPENSATION}，生活困难", f"{RULES_2021}第七条"),
    CategoryDef(
        "E4", "刑事被害人财产重大损失", "刑事被害人",
        ("受到犯罪侵害致使财产遭受重大损失", _NO_COMPENSATION, "生活困难"),
        f"刑事被害人受到犯罪侵害致使财产遭受重大损失，{_NO_COMPENSATION}，生活困难", f"{RULES_2021}第七条"),
    CategoryDef(
        "E5", "举报人、证人、鉴定人遭受打击报复", "举报人、证人、鉴定人",
        ("因向人民检察院举报、作证或者接受委托进行司法鉴定而受到打击报复",
         "人身受到伤害或者财产遭受重大损失", "生活困难"),
        "举报人、证人、鉴定人因向人民检察院举报、作证或者接受委托进行司法鉴定而受到打击报复，"
        "致使人身受到伤害或者财产遭受重大损失，生活困难", f"{RULES_2021}第七条"),
    CategoryDef(
        "E6", "道路交通事故等民事侵权受害人", "民事侵权受害人",
        ("因道路交通事故等民事侵权行为造成人身伤害", "无法通过诉讼获得赔偿", "生活困难"),
        "因道路交通事故等民事侵权行为造成人身伤害，无法通过诉讼获得赔偿，生活困难", f"{RULES_2021}第七条"),
    CategoryDef(
        "E7", "其他需要救助的情形", "其他当事人",
        ("人民检察院根据实际情况认为需要救助",),
        "人民检察院根据实际情况，认为需要救助的其他情形", f"{RULES_2021}第七条"),
]}

# SPP guidance reads Art. 7 as also covering petitioners who meet the conditions [S17]; the 2014
# Opinion ties their aid to ending the petitioning (息诉息访) [S3][S66].
PETITIONER_NOTE = ("涉法涉诉信访人符合上述情形的，可以救助；诉求具有一定合理性但通过法律途径难以解决、生活困难，"
                   "愿意接受国家司法救助后息诉息访的，参照执行（部分省份要求签订息诉停访协议）。")

# 2016 Rules, for older (migrated) cases [S15][S5]. The differences are those domain.md §3.1 names:
# E1, E3, E4 required "offender dead or unable to pay" only; E2 a life endangered; E5 that
# litigation could not yield compensation. E6 and E7 are assumed unchanged (UNCONFIRMED).
_DEAD_OR_UNABLE = "因加害人死亡或者没有赔偿能力，无法通过诉讼获得赔偿"
CATEGORIES_2016: dict[str, CategoryDef] = {c.code: c for c in [
    CategoryDef("E1", "刑事被害人重伤或严重残疾", "刑事被害人",
                ("受到犯罪侵害致重伤或者严重残疾", _DEAD_OR_UNABLE, "生活困难"),
                f"刑事被害人受到犯罪侵害致重伤或者严重残疾，{_DEAD_OR_UNABLE}，生活困难", RULES_2016),
    CategoryDef("E2", "刑事被害人危及生命急需救治", "刑事被害人",
                ("受到犯罪侵害危及生命", "急需救治", "无力承担医疗救治费用"),
                "刑事被害人受到犯罪侵害危及生命，急需救治，无力承担医疗救治费用", RULES_2016),
    CategoryDef("E3", "被害人死亡或丧失劳动能力，其近亲属或被扶养人", "近亲属或者被扶养人",
                ("刑事被害人死亡或者丧失劳动能力", "被害人的收入是申请人的主要生活来源", _DEAD_OR_UNABLE, "生活困难"),
                "刑事被害人死亡或者丧失劳动能力，依靠其收入为主要生活来源的近亲属或者被扶养人，"
                f"{_DEAD_OR_UNABLE}，生活困难", RULES_2016),
    CategoryDef("E4", "刑事被害人财产重大损失", "刑事被害人",
                ("受到犯罪侵害致使财产遭受重大损失", _DEAD_OR_UNABLE, "生活困难"),
                f"刑事被害人受到犯罪侵害致使财产遭受重大损失，{_DEAD_OR_UNABLE}，生活困难", RULES_2016),
    CategoryDef("E5", "举报人、证人、鉴定人遭受打击报复", "举报人、证人、鉴定人",
                ("因举报、作证、鉴定受到打击报复", "人身受到伤害或者财产遭受重大损失", "无法通过诉讼获得赔偿",
                 "生活困难"),
                "举报人、证人、鉴定人因举报、作证、鉴定受到打击报复，致使人身受到伤害或者财产遭受重大损失，"
                "无法通过诉讼获得赔偿，生活困难", RULES_2016),
    CategoryDef("E6", "道路交通事故等民事侵权受害人", "民事侵权受害人",
                ("因道路交通事故等民事侵权行为造成人身伤害", "无法通过诉讼获得赔偿", "生活困难"),
                "因道路交通事故等民事侵权行为造成人身伤害，无法通过诉讼获得赔偿，生活困难", RULES_2016),
    CategoryDef("E7", "其他需要救助的情形", "其他当事人", ("人民检察院根据实际情况认为需要救助",),
                "人民检察院根据实际情况，认为需要救助的其他情形", RULES_2016),
]}

# The 2014 Opinion's eight categories, for all political-legal organs [S3]. Domain.md confirms the
# count and the two additions (support/alimony claims; "other"); the wording of each item is
# paraphrased from memory of the published text (UNCONFIRMED). Codes are the Opinion's item numbers.
CATEGORIES_2014: dict[str, CategoryDef] = {c.code: c for c in [
    CategoryDef("O1", "刑事被害人重伤或严重残疾", "刑事被害人", (),
                "刑事案件被害人受到犯罪侵害致重伤或者严重残疾，因案件无法侦破或者加害人死亡、没有赔偿能力，"
                "无法经过诉讼获得赔偿，造成生活困难", f"{OPINION_2014}（一）"),
    CategoryDef("O2", "刑事被害人危及生命急需救治", "刑事被害人", (),
                "刑事案件被害人受到犯罪侵害危及生命，急需救治，无力承担医疗救治费用", f"{OPINION_2014}（二）"),
    CategoryDef("O3", "刑事被害人死亡，其近亲属", "近亲属", (),
                "刑事案件被害人受到犯罪侵害而死亡，因案件无法侦破或者加害人死亡、没有赔偿能力，"
                "依靠被害人收入为主要生活来源的近亲属无法经过诉讼获得赔偿，造成生活困难", f"{OPINION_2014}（三）"),
    CategoryDef("O4", "刑事被害人财产重大损失", "刑事被害人", (),
                "刑事案件被害人受到犯罪侵害致使财产遭受重大损失，因案件无法侦破或者加害人死亡、没有赔偿能力，"
                "无法经过诉讼获得赔偿，造成生活困难", f"{OPINION_2014}（四）"),
    CategoryDef("O5", "举报人、证人、鉴定人遭受打击报复", "举报人、证人、鉴定人", (),
                "举报人、证人、鉴定人因举报、作证、鉴定受到打击报复，致使人身受到伤害或者财产受到重大损失，"
                "无法经过诉讼获得赔偿，造成生活困难", f"{OPINION_2014}（五）"),
    CategoryDef("O6", "追索赡养费、扶养费、抚育费无法执行", "申请执行人", (),
                "追索赡养费、扶养费、抚育费等，因被执行人没有履行能力，造成申请执行人生活困难", f"{OPINION_2014}（六）"),
    CategoryDef("O7", "道路交通事故等民事侵权受害人", "民事侵权受害人", (),
                "因道路交通事故等民事侵权行为造成人身伤害，无法经过诉讼获得赔偿，造成生活困难", f"{OPINION_2014}（七）"),
    CategoryDef("O8", "其他需要救助的人员", "其他人员", (),
                "党委政法委和政法各单位根据实际情况，认为需要救助的其他人员", f"{OPINION_2014}（八）"),
]}

# Which set applied on a decision date. The 2016 Rules were announced 2016-08-30 and the 2021 Rules
# issued 2021-12-31 (adopted 2021-09-01); that each took effect on those days is UNCONFIRMED.
IN_FORCE: list[tuple[dt.date, str, dict[str, CategoryDef]]] = [
    (dt.date(2014, 1, 1), "2014", CATEGORIES_2014),
    (dt.date(2016, 8, 30), "2016", CATEGORIES_2016),
    (dt.date(2021, 12, 31), "2021", CATEGORIES),
]


def categories_in_force(on: dt.date) -> tuple[str, dict[str, CategoryDef]]:
    """Return the name and categories of the rules in force ON a date (the 2014 set before that)."""
    current = IN_FORCE[0]
    for entry in IN_FORCE:
        if entry[0] <= on:
            current = entry
    return current[1], current[2]


@dataclass(frozen=True)
class GroundDef:
    """A ground on which aid is generally refused (一般不予救助)."""

    code: str
    text: str

    def reason(self) -> Reason:
        return Reason(self.code, f"{self.text}，一般不予救助（{RULES_2021}第八条）。")


# 2021 Rules, Art. 8 (domain.md §4.1) [S10][S8][S2]. "Generally": staff may still grant aid with a
# written justification; the assessment reports the rule.
GROUNDS: dict[str, GroundDef] = {g.code: g for g in [
    GroundDef("X1", "申请人对案件发生有重大过错"),
    GroundDef("X2", "申请人无正当理由，拒绝配合查明案件事实"),
    GroundDef("X3", "申请人故意作虚伪陈述或者伪造证据，妨害诉讼"),
    GroundDef("X4", "申请人在诉讼中主动放弃民事赔偿请求或者拒绝加害责任人及其近亲属赔偿"),
    GroundDef("X5", "申请人生活困难非案件原因所导致"),
    GroundDef("X6", "申请人已经通过社会救助等措施，得到合理补偿、救助"),
]}

# ---------------------------------------------------------------------------------------------
# Key groups (重点人群): tags on a person, not separate legal bases (domain.md §3.2, §11).


@dataclass(frozen=True)
class Subtype:
    code: str
    name: str


@dataclass(frozen=True)
class KeyGroup:
    """A key group with its subtypes (e.g. the women's "5+2")."""

    group: str  # cases.models.Group value (the person category of the ledger)
    name: str
    subtypes: tuple[Subtype, ...]
    basis: str
    note: str = ""


# Minors, 2018 SPP opinion, 8 categories [S28]: all eight are listed in domain.md §3.2 (paraphrased).
MINOR_CATEGORIES = (
    Subtype("M1", "受到犯罪侵害致使身体受到伤害、残疾或者严重心理创伤"),
    Subtype("M2", "受到犯罪侵害急需救治，其家庭无力承担医疗救治费用"),
    Subtype("M3", "抚养人受到犯罪侵害死亡"),
    Subtype("M4", "家庭财产受到犯罪侵害遭受重大损失，无法获得赔偿或者救助"),
    Subtype("M5", "因举报、作证受到打击报复"),
    Subtype("M6", "追索抚育费，因被执行人没有履行能力"),
    Subtype("M7", "因道路交通事故等民事侵权行为受到伤害"),
    Subtype("M8", "其他因案件造成生活困难"),
)

# Women in hardship, "5+2" (SPP and All-China Women's Federation, 2022) [S25][S26].
WOMEN_CATEGORIES = (
    Subtype("W1", "农村地区防止返贫监测对象中的妇女"),
    Subtype("W2", "遭受家庭暴力、性侵害、拐卖等犯罪侵害的妇女"),
    Subtype("W3", "家庭主要劳动力因案死亡或者丧失劳动能力，抚养子女、赡养老人的妇女"),
    Subtype("W4", "身患重病或者残疾的妇女"),
    Subtype("W5", "赡养人、扶养人不能或者不履行赡养、扶养义务的老年妇女"),
    Subtype("W+1", "因就业性别歧视、职场性骚扰等民事侵权造成生活困难，依法难以解决的妇女"),
    Subtype("W+2", "因家庭暴力提起离婚诉讼、确有困难的妇女"),
)

# Rural campaign 2023-02 to 2025-12, six categories [S23]; each maps to a person category.
RURAL_CATEGORIES = (
    Subtype("R1", "防止返贫动态监测对象"),
    Subtype("R2", "生活困难的退役军人"),
    Subtype("R3", "生活困难的未成年人"),
    Subtype("R4", "生活困难的妇女"),
    Subtype("R5", "生活困难的残疾人"),
    Subtype("R6", "生活困难的涉法涉诉信访人"),
)
RURAL_CATEGORY_GROUPS = {"R1": Group.MONITORED, "R2": Group.VETERAN, "R3": Group.MINOR, "R4": Group.WOMAN,
                         "R5": Group.DISABLED, "R6": Group.PETITIONER}

MONITORED_SUBTYPES = (
    Subtype("unstable", "脱贫不稳定户"),
    Subtype("fringe", "边缘易致贫户"),
    Subtype("sudden", "突发严重困难户"),
)

DISABILITY_GRADES = (Subtype("1", "一级"), Subtype("2", "二级"), Subtype("3", "三级"), Subtype("4", "四级"))

# Veterans, service members, their families and survivors [S30]; 军人地位和权益保障法 Art. 61. The split
# into these three subtypes is this project's (UNCONFIRMED as an official classification).
VETERAN_SUBTYPES = (
    Subtype("veteran", "退役军人"),
    Subtype("family", "现役军人军属"),
    Subtype("survivor", "烈士、因公牺牲军人、病故军人遗属"),
)

KEY_GROUPS: dict[str, KeyGroup] = {k.group: k for k in [
    KeyGroup(Group.MINOR, "未成年人", MINOR_CATEGORIES,
             "《最高人民检察院关于全面加强未成年人国家司法救助工作的意见》（2018）",
             "特殊、优先、全面保护；尊重人格尊严、名誉和隐私，避免二次伤害；金额可包括教育、成长费用，特定情形可突破限额。"),
    KeyGroup(Group.WOMAN, "困难妇女", WOMEN_CATEGORIES, "最高人民检察院、全国妇联“关注困难妇女群体，加强专项司法救助”（2022）",
             "受救助妇女抚养的子女一并救助。"),
    KeyGroup(Group.DISABLED, "残疾人", DISABILITY_GRADES, "《残疾人保障法》第六十条", "记录残疾等级（一级至四级）。"),
    KeyGroup(Group.VETERAN, "退役军人、军人军属", VETERAN_SUBTYPES, "《关于加强退役军人司法救助工作的意见》（2021）",
             "对军人、军属和遗属优先提供司法救助（军人地位和权益保障法第六十一条）。"),
    KeyGroup(Group.PETITIONER, "涉法涉诉信访人", (), OPINION_2014, PETITIONER_NOTE),
    KeyGroup(Group.RURAL, "农村地区生活困难当事人", RURAL_CATEGORIES, "“司法救助助力全面推进乡村振兴”专项活动（2023—2025）"),
    KeyGroup(Group.MONITORED, "防止返贫监测对象", MONITORED_SUBTYPES, "“司法救助助力全面推进乡村振兴”专项活动（2023—2025）"),
    KeyGroup(Group.IMPOVERISHED, "因案致贫、因案返贫", (), "“司法救助助力巩固拓展脱贫攻坚成果助推乡村振兴”专项活动（2021—2023）"),
    KeyGroup(Group.DIBAO, "低保户", (), "社会救助衔接"),
    KeyGroup(Group.ELDERLY, "老年人", (), "困难妇女专项活动等"),
]}


def category_reason(code: str) -> Reason:
    """Return the reason text of eligibility category CODE (E1–E7)."""
    return CATEGORIES[code].reason()


def ground_reason(code: str) -> Reason:
    """Return the reason text of refusal ground CODE (X1–X6)."""
    return GROUNDS[code].reason()


def judge(category: str, grounds: list[str]) -> tuple[bool, list[Reason]]:
    """Return (eligible, reasons): eligible unless a refusal ground is present; one reason each."""
    present = sorted(set(grounds))
    return not present, [category_reason(category)] + [ground_reason(g) for g in present]
