"""The Shannan demo's fixed facts: organisations (contracts §1), staff roles and the seed's figures."""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.accounts.models import Role

DEMO_PASSWORD = "Jiuzhu@2026"

# code, name, parent code, level, username prefix (pinyin)
ORGS = [
    ("540000", "西藏自治区人民检察院", None, "province", "xizang"),
    ("540500", "山南市人民检察院", "540000", "city", "shannan"),
    ("540502", "山南市乃东区人民检察院", "540500", "county", "naidong"),
    ("540521", "扎囊县人民检察院", "540500", "county", "zhanang"),
    ("540522", "贡嘎县人民检察院", "540500", "county", "gongga"),
    ("540523", "桑日县人民检察院", "540500", "county", "sangri"),
    ("540524", "琼结县人民检察院", "540500", "county", "qiongjie"),
    ("540525", "曲松县人民检察院", "540500", "county", "qusong"),
    ("540526", "措美县人民检察院", "540500", "county", "cuomei"),
    ("540527", "洛扎县人民检察院", "540500", "county", "luozha"),
    ("540528", "加查县人民检察院", "540500", "county", "jiacha"),
    ("540529", "隆子县人民检察院", "540500", "county", "longzi"),
    ("540530", "错那市人民检察院", "540500", "county", "cuona"),
    ("540531", "浪卡子县人民检察院", "540500", "county", "langkazi"),
]

# Which roles each level of procuratorate gets in the demo.
ROLES_BY_LEVEL = {
    "province": [Role.KONGSHEN, Role.STATS, Role.ADMIN],
    "city": [Role.KONGSHEN, Role.DEPT_HEAD, Role.DEPUTY_CHIEF, Role.CHIEF, Role.CASE_PROSECUTOR, Role.FINANCE,
             Role.STATS, Role.ADMIN],
    "county": [Role.KONGSHEN, Role.DEPT_HEAD, Role.DEPUTY_CHIEF, Role.CHIEF, Role.CASE_PROSECUTOR, Role.FINANCE],
}

# Which department a role sits in.
ROLE_DEPARTMENT = {
    Role.KONGSHEN: "complaint", Role.DEPT_HEAD: "complaint", Role.DEPUTY_CHIEF: "leadership",
    Role.CHIEF: "leadership", Role.CASE_PROSECUTOR: "case", Role.FINANCE: "finance", Role.STATS: "office",
    Role.ADMIN: "office",
}

# The seed's figures (contracts §6), checked by the loader after it has run.
HISTORY_2018_2021 = [  # (org, decided year, amount)
    ("540502", 2019, Decimal("80000.00")),
    ("540522", 2020, Decimal("75000.00")),
    ("540500", 2021, Decimal("90000.00")),
    ("540523", 2021, Decimal("70000.00")),
]
JOINT_2022_AMOUNT = Decimal("25000.00")
# The 14 joint cases of 2022: led by the county, the city paying 15,000 and the county 10,000 of
# each, as contribution lines charged to each procuratorate's own budget (funds.Contribution); the
# split is also written in the case's source description.
JOINT_2022 = ["540528"] * 4 + ["540531"] * 4 + ["540527"] * 3 + ["540524"] * 3
JOINT_SPLIT = {"540500": Decimal("15000.00"), "county": Decimal("10000.00")}
# The 28 other cases of 2022 (org, amount): 183,000 yuan in all.
SINGLE_2022 = [
    ("540500", "8000"), ("540500", "12000"), ("540500", "6000"), ("540500", "5000"),
    ("540502", "6000"), ("540502", "7000"), ("540502", "5000"),
    ("540521", "6000"), ("540521", "4000"),
    ("540522", "8000"), ("540522", "5000"), ("540522", "7000"),
    ("540523", "6000"), ("540523", "5000"),
    ("540524", "10000"),
    ("540525", "6000"), ("540525", "5000"),
    ("540526", "8000"), ("540526", "4000"),
    ("540527", "6000"), ("540527", "7000"),
    ("540528", "14000"),
    ("540529", "6000"), ("540529", "5000"),
    ("540530", "8000"), ("540530", "6000"),
    ("540531", "5000"), ("540531", "3000"),
]
EXPECTED = {
    # (from, to): (cases, persons, amount) for scope 540500, counting the lead procuratorate's cases.
    ("2018-01-01", "2022-12-31"): (46, 46, Decimal("848000.00")),
    ("2022-01-01", "2023-06-07"): (42, 42, Decimal("533000.00")),
    ("2018-01-01", "2021-12-31"): (4, 4, Decimal("315000.00")),
}

TIBETAN_GIVEN = ["扎西", "次仁", "格桑", "尼玛", "达瓦", "旦增", "平措", "白玛", "普布", "边巴", "巴桑",
                 "洛桑", "索朗", "益西", "米玛", "次旦", "仁增", "多吉", "强巴", "顿珠", "拉巴", "贡布"]
TIBETAN_FEMALE = ["卓玛", "央金", "拉姆", "德吉", "措姆", "曲珍", "普赤", "仓决", "玉珍", "旺姆", "次珍", "桑姆"]
TIBETAN_MALE = ["多吉", "顿珠", "次仁", "旺堆", "罗布", "加措", "欧珠", "群培", "扎巴", "丹增", "晋美", "朗杰"]
