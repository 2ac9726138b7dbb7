#!/usr/bin/env python3
"""Writes the demo roll (data/demo/*.csv): a fictional village and a residential
compound. Deterministic: the same files every run. Run from the project root."""
import csv
import random

rng = random.Random(20261121)
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国志文斌辉琴云海鹏飞宇浩然子涵欣怡梓轩诗雨佳慧晨阳春梅秋菊冬生德福顺安")
HEADER = ["编号", "姓名", "网格/村民小组", "楼栋", "单元", "房号", "楼层", "专有面积", "户号", "产权人编号", "业主", "成年", "电话", "村民代表"]


def name(surname=None):
    s = surname or rng.choice(SURNAMES)
    n = rng.choice([1, 2, 2, 2])
    return s + "".join(rng.choice(GIVEN) for _ in range(n))


def phone():
    return "1" + rng.choice("3579") + "".join(rng.choice("0123456789") for _ in range(9))


def family(surname):
    """A household: head, maybe spouse, children (some minors), maybe a grandparent."""
    people = [(name(surname), True)]
    if rng.random() < 0.85:
        people.append((name(), True))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        people.append((name(surname), rng.random() < 0.45))
    if rng.random() < 0.25:
        people.append((name(surname), True))
    return people


def village():
    rows = []
    n = 0
    for g, group in enumerate(["第一村民小组", "第二村民小组", "第三村民小组"], start=1):
        for h in range(1, 56):
            code = f"{g}-{h:03d}"
            surname = rng.choice(SURNAMES[:30])
            members = family(surname)
            for i, (nm, adult) in enumerate(members):
                n += 1
                rep = "是" if (i == 0 and h % 9 == 1) else "否"
                rows.append([f"V{n:04d}", nm, group, "", "", "", "", "", code, "", "否",
                             "是" if adult else "否", phone() if adult and rng.random() < 0.8 else "", rep])
    return rows


def compound():
    rows = []
    n = 0
    base_area = {"01": 89.36, "02": 112.08, "03": 76.45}
    dwellings = []
    for b in (1, 2, 3):
        zone = "一网格" if b == 1 else "二网格"
        for u in (1, 2):
            for floor in range(1, 8):
                for r in ("01", "02", "03"):
                    area = round(base_area[r] + (b - 2) * 0.37 + (u - 1) * 0.11, 2)
                    dwellings.append((zone, str(b), str(u), f"{floor}{r}", floor, f"{area:.2f}"))
    # A few unsold dwellings stay with the developer (one owner together).
    vacant = {("3", "2", "702"), ("3", "2", "703"), ("3", "1", "701"), ("2", "2", "703"), ("1", "1", "103")}
    # Some owners hold a second dwelling, let to tenants.
    second = {("2", "1", "602"): "3-2-501", ("1", "2", "401"): "1-2-601", ("3", "1", "202"): "2-1-301",
              ("2", "2", "101"): "2-2-102", ("1", "1", "502"): "3-1-603"}
    for zone, b, u, room, floor, area in dwellings:
        label = f"{b}-{u}-{room}"
        if (b, u, room) in vacant:
            rows.append(["", "", zone, b, u, room, str(floor), area, "", "开发商", "", "", "", ""])
            continue
        landlord = second.get((b, u, room))
        owner_key = f"O-{landlord}" if landlord else f"O-{label}"
        surname = rng.choice(SURNAMES)
        members = family(surname)
        for i, (nm, adult) in enumerate(members):
            n += 1
            if landlord:
                is_owner = "否"  # tenants of an owner who lives elsewhere
            else:
                is_owner = "是" if (i < 2 and adult) else "否"
            rows.append([f"C{n:04d}", nm, zone, b, u, room, str(floor), area, "", owner_key, is_owner,
                         "是" if adult else "否", phone() if adult and rng.random() < 0.85 else "", "否"])
    return rows


for fname, rows in (("data/demo/village.csv", village()), ("data/demo/compound.csv", compound())):
    with open(fname, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    print(fname, len(rows), "rows")
