"""Built-in campaign templates. The reference campaign ships as one."""

from django.utils.translation import gettext_lazy as _

REFERENCE_TEMPLATE = {
    "key": "zhutijiaoyu",
    "label": _("Thematic education campaign (不忘初心、牢记使命), five targets, four phases"),
    "name": "不忘初心、牢记使命主题教育",
    "general_requirement": "守初心、担使命，找差距、抓落实",
    "root_task": (
        "深入学习贯彻习近平新时代中国特色社会主义思想，锤炼忠诚干净担当的政治品格，"
        "团结带领群众为实现中华民族伟大复兴的中国梦不懈奋斗。"
    ),
    "targets": [
        ("T1", "理论学习有收获", "对照理论学习是否入脑入心、学用结合查找差距。"),
        ("T2", "思想政治受洗礼", "对照政治立场、政治担当和政治信仰查找差距。"),
        ("T3", "干事创业敢担当", "对照担当作为、攻坚克难和工作作风查找差距。"),
        ("T4", "为民服务解难题", "对照服务科技工作者、解决急难愁盼问题查找差距。"),
        ("T5", "清正廉洁作表率", "对照廉洁自律、遵守纪律和规矩查找差距。"),
    ],
    # (name, days after the campaign start, length in days)
    "phases": [
        ("学习教育", 0, 90),
        ("调查研究", 0, 90),
        ("检视问题", 14, 76),
        ("整改落实", 0, 120),
    ],
}

TEMPLATES = {REFERENCE_TEMPLATE["key"]: REFERENCE_TEMPLATE}
