"""The demo's data: the reference case's units, and a fictional ledger written for the demo.

Units and the campaign are facts of the reference case (``REFERENCE.md``).
Everything else — people, problems, measures, progress — is fictional. People
carry generated placeholder names; the real people of the reference case are
left out entirely (:data:`REAL_NAMES` is checked by the tests).

Deadlines are days relative to the day the demo is loaded, so that every
light shows on a live ledger; problems were found in the autumn of 2019.
"""

from dataclasses import dataclass, field

#: Real people of the reference case. They never carry a fictional problem or responsibility.
REAL_NAMES = frozenset({"潘云霞", "王延飞", "刘全来", "孙爱军", "张静"})

CAMPAIGN = {
    "slug": "zhutijiaoyu-2019",
    "name": "不忘初心、牢记使命主题教育",
    "template": "zhutijiaoyu",
    "start_date": "2019-09-16",
    "organizer": "SD-LC",
    "participating": ["SD-LC"],
}

# (code, name, short name, kind, parent code)
UNITS = [
    ("SD", "山东省科学技术协会", "山东省科协", "province", None),
    ("SD-LC", "聊城市科学技术协会", "聊城市科协", "city", "SD"),
    ("SD-LC-BGS", "聊城市科学技术协会办公室", "办公室", "office", "SD-LC"),
    ("SD-LC-ZZXC", "聊城市科学技术协会组织宣传部", "组织宣传部", "office", "SD-LC"),
    ("SD-LC-XHB", "聊城市科学技术协会学会部", "学会部", "office", "SD-LC"),
    ("SD-LC-KPB", "聊城市科学技术协会科普部", "科普部", "office", "SD-LC"),
    ("SD-LC-KJG", "聊城市科技馆", "市科技馆", "affiliated", "SD-LC"),
    ("SD-LC-ZXFW", "聊城市科技咨询服务中心", "市科技咨询服务中心", "affiliated", "SD-LC"),
    ("SD-LC-DCF", "东昌府区科学技术协会", "东昌府区科协", "county", "SD-LC"),
    ("SD-LC-LQ", "临清市科学技术协会", "临清市科协", "county", "SD-LC"),
    ("SD-LC-YG", "阳谷县科学技术协会", "阳谷县科协", "county", "SD-LC"),
    ("SD-LC-SX", "莘县科学技术协会", "莘县科协", "county", "SD-LC"),
    ("SD-LC-CP", "茌平区科学技术协会", "茌平区科协", "county", "SD-LC"),
    ("SD-LC-DA", "东阿县科学技术协会", "东阿县科协", "county", "SD-LC"),
    ("SD-LC-GX", "冠县科学技术协会", "冠县科协", "county", "SD-LC"),
    ("SD-LC-GT", "高唐县科学技术协会", "高唐县科协", "county", "SD-LC"),
]

COUNTY_CODES = [code for code, _n, _s, kind, _p in UNITS if kind == "county"]

# Surnames and given names for placeholder people. The surnames of the real
# people are left out, so no generated name can collide with one of theirs.
_SURNAMES = "赵钱周吴郑冯陈褚卫蒋沈韩杨朱秦许何吕施曹严金魏陶姜谢邹柏窦苏葛范彭鲁韦马方俞任袁柳史唐薛雷贺倪汤罗毕郝常于傅齐康顾孟黄穆萧尹姚邵汪毛贝戴宋庞熊纪舒屈项董梁杜阮蓝季贾江童颜郭梅盛林钟徐邱骆高夏蔡田胡凌霍万柯卢莫丁邓洪崔龚程邢裴陆翁"  # noqa: E501
_GIVEN = [
    "建国", "志强", "海燕", "晓东", "丽娟", "文博", "春燕", "明轩", "立新", "红梅",
    "振华", "秀英", "国栋", "雪梅", "子涵", "宏伟", "玉兰", "卫东", "桂芳", "德胜",
    "秋菊", "永刚", "慧敏", "俊杰", "小莉", "长青", "凤霞", "世杰", "亚楠", "晨阳",
    "兆丰", "文静", "启明", "淑贞", "鹏飞", "婉清", "学军", "艳萍", "广平", "思远",
]  # fmt: skip


@dataclass(frozen=True)
class PersonSpec:
    """A placeholder person of the demo, known in this module by ``key``."""

    key: str
    unit: str
    position: str
    rank: str = "general"
    leadership: bool = False


def _county_people(code: str, prefix: str) -> list[PersonSpec]:
    return [
        PersonSpec(f"{prefix}.chair", code, "党组书记、主席", leadership=True),
        PersonSpec(f"{prefix}.vice", code, "副主席", leadership=True),
        PersonSpec(f"{prefix}.office", code, "办公室主任"),
        PersonSpec(f"{prefix}.staff", code, "科员"),
    ]


PEOPLE: list[PersonSpec] = [
    PersonSpec("sd.admin", "SD", "信息中心系统管理员"),
    PersonSpec("lc.secretary", "SD-LC", "党组书记", "county_up", True),
    PersonSpec("lc.vice1", "SD-LC", "党组成员、副主席", "county_up", True),
    PersonSpec("lc.vice2", "SD-LC", "党组成员、副主席", "county_up", True),
    PersonSpec("lc.secgen", "SD-LC", "党组成员、秘书长", "county_up", True),
    PersonSpec("lc.admin", "SD-LC", "信息管理员"),
    PersonSpec("bgs.head", "SD-LC-BGS", "办公室主任"),
    PersonSpec("bgs.staff", "SD-LC-BGS", "科员"),
    PersonSpec("zzxc.head", "SD-LC-ZZXC", "组织宣传部部长"),
    PersonSpec("zzxc.staff", "SD-LC-ZZXC", "科员"),
    PersonSpec("xhb.head", "SD-LC-XHB", "学会部部长"),
    PersonSpec("xhb.staff", "SD-LC-XHB", "科员"),
    PersonSpec("kpb.head", "SD-LC-KPB", "科普部部长"),
    PersonSpec("zeren", "SD-LC-KPB", "科普部副部长"),
    PersonSpec("kpb.staff", "SD-LC-KPB", "科员"),
    PersonSpec("kjg.head", "SD-LC-KJG", "馆长", leadership=True),
    PersonSpec("kjg.deputy", "SD-LC-KJG", "副馆长", leadership=True),
    PersonSpec("kjg.staff", "SD-LC-KJG", "科员"),
    PersonSpec("zxfw.head", "SD-LC-ZXFW", "主任", leadership=True),
    PersonSpec("zxfw.staff", "SD-LC-ZXFW", "科员"),
    *_county_people("SD-LC-DCF", "dcf"),
    *_county_people("SD-LC-LQ", "lq"),
    *_county_people("SD-LC-YG", "yg"),
    *_county_people("SD-LC-SX", "sx"),
    *_county_people("SD-LC-CP", "cp"),
    *_county_people("SD-LC-DA", "da"),
    *_county_people("SD-LC-GX", "gx"),
    *_county_people("SD-LC-GT", "gt"),
    # Last, so that adding them left everyone else's placeholder name as it was. The
    # guidance group comes from the city party committee, which is not in the tree;
    # its people are filed under the association it supervises.
    PersonSpec("zdz.member1", "SD-LC", "市委第七巡回指导组成员"),
    PersonSpec("zdz.member2", "SD-LC", "市委第七巡回指导组成员"),
]


def placeholder_names(count: int) -> list[str]:
    """``count`` distinct placeholder names, the same on every run, none of them real."""
    names: list[str] = []
    i = 0
    while len(names) < count:
        name = _SURNAMES[(i * 7) % len(_SURNAMES)] + _GIVEN[(i * 11) % len(_GIVEN)]
        if name not in names and name not in REAL_NAMES:
            names.append(name)
        i += 1
    return names


#: The placeholder name of each person key.
PERSON_NAMES = dict(zip((p.key for p in PEOPLE), placeholder_names(len(PEOPLE)), strict=True))

# (username, person key, [(role, unit code)], superuser)
LOGINS = [
    ("admin", "sd.admin", [("system_admin", "SD")], True),
    ("city", "lc.admin", [("unit_admin", "SD-LC")], False),
    ("dongchangfu", "dcf.office", [("unit_admin", "SD-LC-DCF")], False),
    ("linqing", "lq.office", [("unit_admin", "SD-LC-LQ")], False),
    ("leader", "lc.secretary", [("leader", "SD-LC")], False),
    # A responsible person without any role: sees what she answers for, in any unit.
    ("zeren", "zeren", [], False),
    # A guidance-group member: no role, reads the city association's subtree.
    ("zhidaozu", "zdz.member1", [], False),
]

#: What a login without a role grant does, for the summary.
LOGIN_NOTES = {
    "zeren": "responsible person, no role",
    "zhidaozu": "guidance-group member, reads SD-LC's subtree",
}

#: The roving guidance group of the reference case. Its leader is a real person
#: (REFERENCE.md): he leads the group and answers for no measure.
GUIDANCE_GROUP = {
    "name": "市委“不忘初心、牢记使命”主题教育第七巡回指导组",
    "home_unit": "SD-LC",
    "leader": "刘全来",
    "leader_unit": "SD-LC",
    "leader_position": "市委第七巡回指导组组长",
    "members": ["zdz.member1", "zdz.member2"],
    "assigned_units": ["SD-LC"],
}


@dataclass(frozen=True)
class MeasureSpec:
    """A measure of the demo. ``due`` is days from the load date (``None``: no deadline)."""

    content: str
    persons: tuple[str, ...]
    due: int | None
    kind: str = "deadline"
    outcome: str = ""
    leader: str | None = None
    department: str | None = None
    #: not_started, in_progress (a progress note), completed or signed_off.
    status: str = "not_started"
    #: (days before the load date, text) of each progress note.
    notes: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ProblemSpec:
    """A problem of the demo, found on ``found`` against target ``target`` (T1…T5)."""

    unit: str
    target: str
    source: str
    level: str
    found: str
    description: str
    root_cause: str
    measures: tuple[MeasureSpec, ...] = field(default=())
    concerned: str | None = None


M = MeasureSpec
P = ProblemSpec

PROBLEMS: list[ProblemSpec] = [
    # ── T1 理论学习有收获 ──────────────────────────────────────────────
    P("SD-LC", "T1", "self", "group", "2019-10-08",
      "党组理论学习中心组学习计划性不强，集体学习多以领读文件为主，联系科协工作实际开展专题研讨不够深入。",
      "对理论学习重要性认识不足，存在重业务轻学习倾向，中心组学习制度执行不严格。",
      (M("制定党组理论学习中心组年度学习计划，每月至少集中学习一次，每季度围绕一个专题开展交流研讨。",
         ("lc.secretary", "zzxc.head"), -40, outcome="年度学习计划印发执行，研讨记录完整可查。",
         leader="lc.secretary", department="SD-LC-ZZXC", status="signed_off",
         notes=((60, "年度学习计划已经党组会议研究印发。"),
                (30, "前三次专题研讨已完成，记录已归档。"))),
       M("建立中心组成员学习笔记和心得体会季度检查通报制度。",
         ("zzxc.head",), None, kind="long_term", leader="lc.secretary", department="SD-LC-ZZXC",
         status="in_progress", notes=((20, "第一季度检查已完成并在机关内通报。"),)))),
    P("SD-LC-BGS", "T1", "self", "member", "2019-10-10",
      "机关党员干部自学主动性不够，学习平台积分普遍偏低，部分同志学用脱节。",
      "缺少经常性的督促检查和激励机制，学习效果没有与评先树优挂钩。",
      (M("每月通报机关党员学习平台学习情况，连续两月排名靠后的约谈提醒。",
         ("bgs.head",), 3, kind="immediate", department="SD-LC-BGS", status="in_progress",
         notes=((5, "已通报上月学习情况，对两名同志进行了提醒。"),)),
       M("开展“每周一学”活动，由各部室负责同志轮流领学，学习情况纳入年度考核。",
         ("bgs.head", "bgs.staff"), None, kind="long_term", department="SD-LC-BGS"))),
    P("SD-LC-DCF", "T1", "guidance", "group", "2019-10-15",
      "区科协班子学习贯彻新思想与推动科普工作结合不紧，学习成果转化为工作思路和举措不多。",
      "学习停留在读原文、记笔记层面，没有带着问题学、结合职责学。",
      (M("围绕基层科普阵地建设开展专题学习研讨，形成调研报告一篇。",
         ("dcf.chair", "zeren"), -12, outcome="形成专题调研报告并提交区委。", leader="dcf.chair"),
       M("将学习成果转化为年度科普工作要点，逐项明确责任人和完成时限。",
         ("dcf.vice",), 25, leader="dcf.chair", status="completed",
         notes=((10, "年度科普工作要点已印发。"),)))),
    P("SD-LC-LQ", "T1", "superior", "leader", "2019-10-18",
      "主要负责同志带头讲党课次数偏少，结合基层科协组织建设开展调研形成的成果不多。",
      "对“关键少数”示范作用认识不足，调研计划安排不具体。",
      (M("主要负责同志年内讲专题党课不少于两次，并深入乡镇科协调研不少于五次。",
         ("lq.chair",), 5, leader="lq.chair"),
       M("建立班子成员基层联系点制度，每人联系一个乡镇科协。",
         ("lq.vice", "lq.office"), 60, leader="lq.chair"))),
    P("SD-LC-KPB", "T1", "research", "member", "2019-10-22",
      "科普部同志对全民科学素质行动规划纲要等政策文件学习不系统，指导基层科普工作时政策解读不够准确。",
      "业务学习缺乏计划，新进人员培训不足。",
      (M("组织科普政策文件专题学习，编印政策解读汇编发至各县市区科协。",
         ("kpb.head", "zeren"), -25, outcome="政策解读汇编印发到县级科协。", department="SD-LC-KPB",
         status="confirmed", notes=((40, "汇编初稿已完成，正在征求意见。"), (28, "汇编已印发。"))),
       M("每半年对县市区科协科普干部开展一次政策业务培训。",
         ("zeren",), None, kind="long_term", department="SD-LC-KPB",
         status="in_progress", notes=((15, "上半年培训已在东昌府区举办。"),)))),
    P("SD-LC-YG", "T1", "opinions", "unit", "2019-10-25",
      "基层科协工作人员理论培训覆盖面不够，乡镇科协和企业科协负责同志参训率低。",
      "培训组织方式单一，集中培训与基层工作时间冲突。",
      (M("采取集中培训与线上学习相结合的方式，年内实现乡镇科协负责人培训全覆盖。",
         ("yg.chair", "yg.office"), 45, leader="yg.chair"),
       M("建立参训台账，对未参训人员安排补学。",
         ("yg.staff",), -3, kind="immediate"))),
    P("SD-LC-KJG", "T1", "self", "member", "2019-10-28",
      "科技馆党支部“三会一课”学习内容较为单一，存在以读代学、以会代学现象。",
      "支部书记抓学习的办法不多，学习内容与科技馆业务结合不够。",
      (M("制定支部学习计划，每月主题党日安排一次结合场馆业务的专题讨论。",
         ("kjg.head",), 20, leader="kjg.head", status="signed_off",
         notes=((25, "支部学习计划已制定并报机关党委备案。"),)),
       M("开展“讲科学、讲党史”微宣讲，由党员讲解员轮流登台。",
         ("kjg.deputy", "kjg.staff"), 6, leader="kjg.head"))),
    P("SD-LC-GX", "T1", "self", "group", "2019-11-01",
      "县科协班子集体学习次数不足，学习记录不完整，个别班子成员缺学情况未补学。",
      "学习制度执行刚性不足，缺少考勤和补学机制。",
      (M("严格执行集体学习考勤制度，缺学人员一周内补学并提交心得。",
         ("gx.chair", "gx.office"), -8, kind="immediate", leader="gx.chair"),)),
    P("SD-LC-ZXFW", "T1", "research", "member", "2019-11-04",
      "咨询服务中心职工对创新驱动发展战略理解不深，服务企业时讲不清政策要点。",
      "业务培训偏重技术，政策理论学习安排少。",
      (M("每季度组织一次创新政策专题辅导，邀请科技部门同志授课。",
         ("zxfw.head",), 90, leader="zxfw.head"),
       M("编写服务企业政策问答手册。",
         ("zxfw.staff",), 35, status="in_progress",
         notes=((12, "问答手册已收集问题八十余条。"),)))),

    # ── T2 思想政治受洗礼 ──────────────────────────────────────────────
    P("SD-LC", "T2", "superior", "group", "2019-10-09",
      "党组落实全面从严治党主体责任压力传导不够，对直属单位党建工作督促指导偏弱。",
      "对直属单位党建工作检查考核不经常，责任清单不具体。",
      (M("制定党组落实全面从严治党主体责任清单，明确党组书记、班子成员和直属单位负责人责任。",
         ("lc.secretary", "zzxc.head"), -60, leader="lc.secretary", department="SD-LC-ZZXC",
         status="signed_off", notes=((70, "责任清单已经党组会议审定印发。"),)),
       M("每半年听取一次直属单位党建工作汇报，开展一次专项检查。",
         ("lc.vice1", "zzxc.staff"), None, kind="long_term", leader="lc.secretary",
         department="SD-LC-ZZXC"))),
    P("SD-LC-ZZXC", "T2", "self", "unit", "2019-10-12",
      "意识形态工作责任制落实不到位，对科协网站、微信公众号等阵地的内容审核把关不严。",
      "信息发布审核流程不健全，责任落实到人不够。",
      (M("修订网站和公众号信息发布审核办法，实行“三审三校”。",
         ("zzxc.head", "zzxc.staff"), -30, kind="immediate", department="SD-LC-ZZXC",
         status="completed", notes=((35, "审核办法已修订并执行。"),)),
       M("每季度开展一次意识形态领域风险研判。",
         ("zzxc.head",), 4, department="SD-LC-ZZXC"))),
    P("SD-LC-DCF", "T2", "self", "member", "2019-10-16",
      "部分党员党性观念淡化，参加组织生活不够积极，批评与自我批评辣味不足。",
      "日常教育管理偏松，组织生活会质量不高。",
      (M("高质量召开专题组织生活会，逐一开展批评和自我批评。",
         ("dcf.chair",), -20, leader="dcf.chair"),
       M("建立党员参加组织生活情况登记和通报制度。",
         ("dcf.office", "zeren"), 40, status="in_progress",
         notes=((9, "登记表已制定，本月起执行。"),)))),
    P("SD-LC-LQ", "T2", "research", "unit", "2019-10-19",
      "基层党组织建设薄弱，所属学会党建工作覆盖不全，党的组织和工作覆盖仍有空白。",
      "对学会党建工作底数掌握不清，推进措施不具体。",
      (M("全面摸排所属学会党员情况，建立学会党建工作台账。",
         ("lq.office", "lq.staff"), -15, kind="immediate"),
       M("对具备条件的学会年内成立党的工作小组，实现应建尽建。",
         ("lq.vice",), 2, leader="lq.chair"))),
    P("SD-LC-XHB", "T2", "guidance", "unit", "2019-10-23",
      "对所属学会党建工作指导不够，学会党的工作小组作用发挥不明显。",
      "学会部力量薄弱，党建与业务指导“两张皮”。",
      (M("制定学会党建工作指引，明确党的工作小组议事规则。",
         ("xhb.head",), 15, department="SD-LC-XHB", status="completed",
         notes=((8, "工作指引已印发至各市级学会。"),)),
       M("每年对市级学会党建工作开展一次考核评价。",
         ("xhb.head", "xhb.staff"), None, kind="long_term", department="SD-LC-XHB"))),
    P("SD-LC-ZXFW", "T2", "self", "member", "2019-10-26",
      "党员教育管理不够严格，党员发展和组织关系接转档案资料不规范。",
      "党务工作人员业务不熟，档案管理制度不健全。",
      (M("对党员档案进行全面清理，补齐缺失材料。",
         ("zxfw.staff",), -35, kind="immediate", status="signed_off",
         notes=((50, "已完成档案清理，补齐材料十二份。"),)),)),
    P("SD-LC-CP", "T2", "superior", "group", "2019-10-30",
      "政治理论学习与警示教育结合不够，以案为鉴、以案促改开展不经常。",
      "对警示教育的作用认识不足，没有形成常态化安排。",
      (M("每半年召开一次警示教育大会，组织观看警示教育片。",
         ("cp.chair",), None, kind="long_term", leader="cp.chair"),
       M("结合典型案例开展一次廉政风险点自查。",
         ("cp.vice", "cp.office"), 7, leader="cp.chair"))),
    P("SD-LC-SX", "T2", "opinions", "unit", "2019-11-02",
      "对科技工作者的思想政治引领办法不多，联系专家座谈交流不经常。",
      "工作方式停留在发文件、开大会，面对面交流少。",
      (M("建立科协领导联系专家制度，每人联系五名以上科技工作者。",
         ("sx.chair", "sx.vice"), 30, leader="sx.chair"),
       M("每季度举办一次科技工作者座谈会。",
         ("sx.office",), -5))),
    P("SD-LC", "T2", "guidance", "leader", "2019-11-05",
      "个别班子成员落实“一岗双责”不到位，对分管领域意识形态风险研判不够。",
      "对分管领域党建工作过问少，责任意识不强。",
      (M("班子成员每半年向党组报告一次分管领域党建和意识形态工作情况。",
         ("lc.vice2",), 75, leader="lc.secretary", department="SD-LC-BGS"),
       M("将“一岗双责”落实情况纳入班子成员年度述职内容。",
         ("lc.secgen", "bgs.head"), 1, leader="lc.secretary", department="SD-LC-BGS")),
      concerned="lc.vice2"),
    P("SD-LC-GT", "T2", "self", "member", "2019-11-06",
      "党员干部参加志愿服务活动积极性不高，“双报到”工作落实不够。",
      "缺少组织动员和记录考核。",
      (M("组织党员到社区报到并参加科普志愿服务，每人每年不少于两次。",
         ("gt.office", "gt.staff"), 50),)),

    # ── T3 干事创业敢担当 ──────────────────────────────────────────────
    P("SD-LC", "T3", "superior", "group", "2019-10-11",
      "推进科协系统深化改革力度不够，基层科协组织建设在部分县市区进展缓慢。",
      "对改革任务分解不细，跟踪督导不及时。",
      (M("制定基层科协组织建设三年行动方案，逐县明确目标任务。",
         ("lc.vice1", "xhb.head"), -90, leader="lc.vice1", department="SD-LC-XHB",
         status="signed_off", notes=((100, "行动方案已经市委同意印发。"),)),
       M("每季度调度一次各县市区改革任务进展，对进展慢的约谈提醒。",
         ("lc.vice1",), -10, leader="lc.vice1", department="SD-LC-XHB", status="in_progress",
         notes=((14, "已完成第一次调度，两个县进展较慢。"),)),
       M("对乡镇科协“三长”配备情况开展专项督查。",
         ("xhb.staff", "zeren"), 6, leader="lc.vice1", department="SD-LC-XHB"))),
    P("SD-LC-BGS", "T3", "self", "unit", "2019-10-14",
      "文风会风改进不到位，部分会议、文件篇幅过长，以文件落实文件的现象仍然存在。",
      "形式主义、官僚主义问题整治不彻底，发文审核把关不严。",
      (M("严格控制发文数量和会议规模，文件篇幅原则上不超过三千字。",
         ("bgs.head",), -18, kind="immediate", department="SD-LC-BGS", status="completed",
         notes=((22, "已建立发文会议计划管理制度。"),)),
       M("每半年统计通报一次发文、开会数量。",
         ("bgs.staff",), None, kind="long_term", department="SD-LC-BGS"))),
    P("SD-LC-DCF", "T3", "research", "unit", "2019-10-17",
      "开展工作习惯于按部就班，创新意识不强，品牌活动少，公民科学素质工作成效不明显。",
      "对标先进地区不够，缺少特色项目谋划。",
      (M("学习借鉴先进地区经验，谋划打造一个区级科普品牌活动。",
         ("dcf.vice", "zeren"), 70, leader="dcf.chair"),
       M("建立科普重点项目清单，实行项目化管理。",
         ("dcf.office",), -7, leader="dcf.chair"))),
    P("SD-LC-LQ", "T3", "guidance", "unit", "2019-10-20",
      "基层工作中存在“重留痕、轻实效”的问题，台账材料多、实际成效少。",
      "考核评价偏重材料，对实际效果关注不够。",
      (M("清理精简各类工作台账，同类材料合并报送。",
         ("lq.office",), -45, kind="immediate", status="completed",
         notes=((55, "已精简台账七类。"),)),
       M("改进考核方式，以群众满意度和工作实效为主要依据。",
         ("lq.chair", "lq.vice"), 3, leader="lq.chair"))),
    P("SD-LC-XHB", "T3", "research", "unit", "2019-10-24",
      "学会承接政府转移职能工作推进缓慢，对学会能力提升缺乏有效抓手。",
      "与有关部门沟通协调不够，学会自身能力不足。",
      (M("梳理适宜学会承接的职能事项清单，与相关部门协商推进。",
         ("xhb.head",), 100, department="SD-LC-XHB"),
       M("开展学会能力提升专项培训。",
         ("xhb.staff",), -22, department="SD-LC-XHB", status="in_progress",
         notes=((18, "培训方案已制定，师资正在落实。"),)))),
    P("SD-LC-KJG", "T3", "opinions", "unit", "2019-10-27",
      "科技馆展品更新慢，部分展项长期损坏未修复，青少年科普教育活动吸引力下降。",
      "展品维护经费和人员不足，更新计划不落实。",
      (M("对损坏展项进行全面排查，一个月内完成维修。",
         ("kjg.deputy", "kjg.staff"), -50, kind="immediate", leader="kjg.head",
         status="signed_off", notes=((60, "十四件损坏展项已全部修复。"),)),
       M("制定展品更新三年计划，争取专项资金支持。",
         ("kjg.head",), 120, leader="kjg.head"),
       M("开发面向中小学生的研学课程，每学期不少于四个。",
         ("kjg.deputy",), 2, leader="kjg.head"))),
    P("SD-LC-GT", "T3", "research", "group", "2019-10-31",
      "面对乡村振兴中的科技需求，主动对接、主动作为不够，农技协组织作用发挥不充分。",
      "对农村科技需求调研不深入，服务载体少。",
      (M("开展农村科技需求调研，形成需求清单。",
         ("gt.chair", "gt.vice"), -14, leader="gt.chair"),
       M("每个乡镇培育一个示范性农村专业技术协会。",
         ("gt.vice",), 150, leader="gt.chair"))),
    P("SD-LC-DA", "T3", "superior", "unit", "2019-11-03",
      "对上级部署的科技工作者状况调查等任务推进不力，数据报送不及时。",
      "工作责任不明确，时间节点把控不严。",
      (M("明确调查站点联络员，建立任务台账，按期报送数据。",
         ("da.office",), -2, kind="immediate"),
       M("对调查任务完成情况进行年终考核。",
         ("da.chair",), 80, leader="da.chair"))),
    P("SD-LC", "T3", "opinions", "leader", "2019-11-07",
      "个别领导干部攻坚克难的劲头不足，对难点问题习惯于层层转交、推给基层。",
      "担当意识不强，怕担责、怕出错。",
      (M("班子成员每人领办一项难点工作，定期向党组报告进展。",
         ("lc.vice2", "lc.secgen"), 12, leader="lc.secretary", department="SD-LC-BGS"),),
      concerned="lc.vice2"),
    P("SD-LC-YG", "T3", "self", "unit", "2019-11-08",
      "乡镇科协阵地建设标准不统一，部分阵地挂牌后长期闲置。",
      "重建设轻使用，缺少日常管理和活动安排。",
      (M("对乡镇科协阵地逐一检查，闲置阵地限期启用。",
         ("yg.vice",), -28, status="completed", notes=((30, "已检查阵地十八处。"),)),
       M("每个阵地每月至少开展一次科普活动。",
         ("yg.office", "yg.staff"), None, kind="long_term"))),
    P("SD-LC-SX", "T3", "guidance", "leader", "2019-11-09",
      "主要负责同志对重点工作调度不够，部分工作推进慢、落实差。",
      "工作统筹不够，督查督办机制不健全。",
      (M("建立重点工作周调度、月通报制度。",
         ("sx.chair",), 9, leader="sx.chair"),),
      concerned="sx.chair"),

    # ── T4 为民服务解难题 ──────────────────────────────────────────────
    P("SD-LC", "T4", "opinions", "group", "2019-10-09",
      "服务科技工作者“最后一公里”没有打通，联系科技工作者渠道少，了解一线科技人员诉求不及时。",
      "服务意识不强，工作重心偏于机关内部事务。",
      (M("建设“科技工作者之家”线上服务平台，开通诉求反映渠道。",
         ("lc.vice2", "zxfw.head"), 110, leader="lc.vice2", department="SD-LC-ZXFW"),
       M("班子成员每年走访科技工作者不少于二十人次，建立诉求办理台账。",
         ("lc.secretary", "lc.vice1"), -5, leader="lc.secretary", department="SD-LC-BGS",
         status="in_progress", notes=((6, "已走访科技工作者三十二人次，收集诉求十五条。"),)),
       M("对科技工作者反映的问题实行限时办结、定期回访。",
         ("bgs.head",), None, kind="long_term", department="SD-LC-BGS"))),
    P("SD-LC-KPB", "T4", "research", "unit", "2019-10-13",
      "科普资源城乡分布不均衡，农村和社区科普设施利用率低，科普大篷车下乡频次不够。",
      "科普资源统筹不够，下乡活动缺少计划。",
      (M("制定科普大篷车下乡计划，每县每季度不少于两次。",
         ("kpb.head", "zeren"), -33, department="SD-LC-KPB", status="signed_off",
         notes=((45, "下乡计划已印发。"), (34, "前两个季度计划全部完成。"))),
       M("推动农村中学科技馆和社区科普e站共建共享。",
         ("zeren",), 5, department="SD-LC-KPB", status="in_progress",
         notes=((3, "已与市教育局对接共建事宜。"),)))),
    P("SD-LC-ZXFW", "T4", "opinions", "unit", "2019-10-17",
      "科技咨询服务项目少、层次低，为企业开展技术咨询和成果转化服务能力不足。",
      "专家资源整合不够，服务模式单一。",
      (M("建立科技咨询专家库，入库专家不少于一百人。",
         ("zxfw.head", "zxfw.staff"), 55, leader="zxfw.head"),
       M("每季度组织一次专家进企业活动。",
         ("zxfw.staff",), -11, leader="zxfw.head"))),
    P("SD-LC-DCF", "T4", "opinions", "unit", "2019-10-21",
      "社区科普大学教学点覆盖不够，老年人防范电信诈骗、健康知识等科普需求响应不及时。",
      "对社区群众需求了解不够，与街道协作不紧密。",
      (M("新增社区科普大学教学点五处。",
         ("dcf.vice", "zeren"), 14, leader="dcf.chair", status="completed",
         notes=((4, "五处教学点已挂牌开课。"),)),
       M("开展“科普进社区”防诈骗、健康知识讲座每月一次。",
         ("dcf.staff",), None, kind="long_term"),
       M("在社区设立科普需求征集箱，每月汇总回应。",
         ("dcf.office",), -9, kind="immediate"))),
    P("SD-LC-LQ", "T4", "opinions", "unit", "2019-10-24",
      "对企业科协和院士专家工作站服务不够，站点建设与企业技术需求对接不精准。",
      "对企业需求调研不够，服务停留在挂牌层面。",
      (M("逐家走访院士专家工作站，建立问题和需求清单。",
         ("lq.vice", "lq.staff"), -26, leader="lq.chair", status="completed",
         notes=((27, "已走访工作站九家，梳理需求二十一项。"),)),
       M("组织企业技术需求与高校院所专家对接活动。",
         ("lq.vice",), 18, leader="lq.chair"))),
    P("SD-LC-XHB", "T4", "self", "unit", "2019-10-29",
      "服务科技工作者创新创业举措不多，“科技工作者之家”建设流于形式。",
      "对科技工作者需求了解不深，服务项目设计不实。",
      (M("开展科技工作者需求问卷调查，据此调整服务项目。",
         ("xhb.head",), -6, department="SD-LC-XHB"),
       M("在市级学会中推选十个“科技工作者之家”示范点。",
         ("xhb.staff",), 65, department="SD-LC-XHB"))),
    P("SD-LC-YG", "T4", "guidance", "unit", "2019-11-01",
      "农村科普示范基地评选后跟踪服务不够，部分基地示范带动作用弱。",
      "重评选轻管理，缺少动态考核机制。",
      (M("对已命名的科普示范基地开展复查，不合格的摘牌。",
         ("yg.chair",), 28, leader="yg.chair"),
       M("建立示范基地年度考核和动态管理制度。",
         ("yg.vice",), None, kind="long_term", leader="yg.chair"))),
    P("SD-LC-GX", "T4", "superior", "unit", "2019-11-04",
      "为党委政府科学决策服务意识不强，建言献策成果少、质量不高。",
      "决策咨询工作机制不健全，专家作用发挥不够。",
      (M("围绕县域产业发展确定年度决策咨询课题两项。",
         ("gx.chair", "gx.vice"), 4, leader="gx.chair"),
       M("建立决策咨询专家团队。",
         ("gx.vice",), -16, leader="gx.chair"))),
    P("SD-LC-SX", "T4", "research", "unit", "2019-11-06",
      "科技工作者反映的职称评审、项目申报信息获取难等问题回应不及时。",
      "信息发布渠道少，与相关部门沟通不够。",
      (M("在科协公众号开设政策信息专栏，及时发布职称评审和项目申报信息。",
         ("sx.office", "sx.staff"), -40, kind="immediate", status="signed_off",
         notes=((42, "专栏已开通并发布信息十六条。"),)),
       M("对科技工作者反映的问题建立转办、督办、回复台账。",
         ("sx.vice",), 33))),
    P("SD-LC-CP", "T4", "opinions", "unit", "2019-11-08",
      "科普活动进校园覆盖面窄，农村学校学生参与机会少。",
      "活动安排集中在城区学校，农村学校统筹不够。",
      (M("制定科普进校园计划，优先安排农村学校。",
         ("cp.vice", "cp.staff"), 21, status="in_progress",
         notes=((7, "计划已征求教育部门意见。"),)),)),

    # ── T5 清正廉洁作表率 ──────────────────────────────────────────────
    P("SD-LC", "T5", "superior", "group", "2019-10-10",
      "落实中央八项规定精神监督检查不经常，对公务接待、公车使用等检查流于形式。",
      "监督检查缺少计划，发现问题后整改跟踪不够。",
      (M("每季度开展一次落实中央八项规定精神情况专项检查。",
         ("lc.secgen", "bgs.head"), -70, leader="lc.secretary", department="SD-LC-BGS",
         status="signed_off", notes=((80, "第一次专项检查已完成，问题已整改。"),)),
       M("公务接待、公车使用情况每半年在机关内公示。",
         ("bgs.staff",), None, kind="long_term", department="SD-LC-BGS"))),
    P("SD-LC-BGS", "T5", "research", "unit", "2019-10-15",
      "财务管理制度执行不严格，部分项目经费报销手续不完备，政府采购程序不够规范。",
      "财务人员业务能力不足，内部审核把关不严。",
      (M("修订机关财务管理和政府采购内部控制制度。",
         ("bgs.head",), 10, department="SD-LC-BGS", status="completed",
         notes=((2, "制度修订稿已经主席办公会审议通过。"),)),
       M("对近三年项目经费使用情况开展自查。",
         ("bgs.head", "bgs.staff"), -19, department="SD-LC-BGS"))),
    P("SD-LC-KJG", "T5", "self", "unit", "2019-10-19",
      "科技馆场地对外合作使用管理不规范，收费标准和收支情况公开不及时。",
      "合作管理制度缺失，信息公开意识不强。",
      (M("制定场地对外合作使用管理办法，收费标准向社会公开。",
         ("kjg.head",), -4, leader="kjg.head"),
       M("每季度公开一次场地合作使用收支情况。",
         ("kjg.staff",), None, kind="long_term", leader="kjg.head"))),
    P("SD-LC-DCF", "T5", "self", "member", "2019-10-23",
      "廉政风险防控机制不健全，对科普项目资金分配等重点环节风险点排查不全面。",
      "对廉政风险防控重视不够，排查工作不细。",
      (M("全面排查科普项目资金分配等环节廉政风险点，制定防控措施。",
         ("dcf.chair", "dcf.office"), 7, leader="dcf.chair"),
       M("科普项目资金分配实行集体研究并公示。",
         ("dcf.vice",), None, kind="long_term", leader="dcf.chair"))),
    P("SD-LC-LQ", "T5", "guidance", "leader", "2019-10-27",
      "班子成员签订廉政承诺书后跟踪监督不够，廉洁提醒谈话开展不经常。",
      "主体责任落实不到位，日常监督偏松。",
      (M("主要负责同志每半年与班子成员开展一次廉洁提醒谈话。",
         ("lq.chair",), -30, leader="lq.chair", status="completed",
         notes=((33, "已完成本轮提醒谈话。"),)),
       M("将廉政承诺履行情况纳入年度述责述廉。",
         ("lq.chair", "lq.office"), 85, leader="lq.chair")),
      concerned="lq.chair"),
    P("SD-LC-ZXFW", "T5", "research", "unit", "2019-10-30",
      "咨询服务收费依据公开不充分，合同管理台账不健全。",
      "内部管理制度不完善，合同归口管理不明确。",
      (M("公开咨询服务收费依据和标准。",
         ("zxfw.head",), -1, kind="immediate", leader="zxfw.head"),
       M("建立合同统一管理台账，实行合同审核会签。",
         ("zxfw.staff",), 16, leader="zxfw.head"))),
    P("SD-LC-CP", "T5", "superior", "unit", "2019-11-02",
      "科普经费使用绩效评价缺失，部分项目资金执行进度偏慢。",
      "预算管理粗放，项目前期论证不充分。",
      (M("对科普经费开展绩效评价，评价结果用于下年度预算安排。",
         ("cp.chair", "cp.office"), -55, leader="cp.chair", status="signed_off",
         notes=((58, "绩效评价报告已完成。"),)),
       M("按月调度项目资金执行进度。",
         ("cp.office",), 3, kind="immediate"))),
    P("SD-LC-GT", "T5", "self", "unit", "2019-11-05",
      "办公用房、公务用车管理制度落实不到位，个别办公用房面积超标问题未及时整改。",
      "对有关规定学习领会不到位，整改不坚决。",
      (M("对超标办公用房进行调整腾退。",
         ("gt.office",), -37, kind="immediate", status="completed",
         notes=((40, "超标办公用房已调整到位。"),)),
       M("建立办公用房和公务用车管理台账，每年检查一次。",
         ("gt.staff",), None, kind="long_term"))),
    P("SD-LC", "T5", "self", "member", "2019-11-10",
      "机关党员干部纪律规矩意识有所松懈，上班迟到早退等现象偶有发生。",
      "日常管理不严，考勤制度执行不到位。",
      (M("严格执行考勤制度，每月通报考勤情况。",
         ("bgs.head",), 8, kind="immediate", department="SD-LC-BGS"),
       M("开展纪律作风专项整顿，组织党员干部签订遵规守纪承诺书。",
         ("lc.secgen", "zzxc.head"), -13, leader="lc.secretary", department="SD-LC-ZZXC"))),
    P("SD-LC-DA", "T5", "other", "member", "2019-11-11",
      "个别工作人员在科普活动物资采购中询价比价不规范。",
      "采购流程不明确，监督不到位。",
      (M("制定小额物资采购询价比价办法，采购结果在单位内部公示。",
         ("da.office", "da.staff"), 24, status="in_progress",
         notes=((11, "办法初稿已完成。"),)),)),
    P("SD-LC-DCF", "T3", "other", "leader", "2019-12-20",
      "区科协分管负责同志对街道科协工作指导不够，部分街道科协活动开展少。",
      "分工不明确，指导缺乏经常性。",
      (M("分管负责同志每月到一个街道科协调研指导。",
         ("dcf.vice",), -24, leader="dcf.chair"),
       M("建立街道科协活动月报制度。",
         ("dcf.office", "zeren"), 11, leader="dcf.chair")),
      concerned="dcf.vice"),
]  # fmt: skip
