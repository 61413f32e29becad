"""Built-in self-examination checklists (自我检视清单).

The reference case names its checklist, "十个扪心自问", but not its questions.
The ten below are ours: two per target of the reference campaign template
(:mod:`rectify.campaigns.templates_data`, targets ``T1``…``T5``), each asked
in the first person, as a leader would ask it of themselves. A campaign's
copy is ordinary data afterwards: administrators edit, add and reorder its
questions.
"""

SHIGE_MENXIN_ZIWEN = {
    "key": "shige-menxin-ziwen",
    "title": "十个扪心自问",
    "description": (
        "对照主题教育五项目标要求，逐条扪心自问、检视差距。"
        "回答时请实事求是；查摆出的问题可标记为“存在问题”，进入本单位的问题清单。"
    ),
    # (target code, question), two per target, in the order they are asked.
    "questions": [
        (
            "T1",
            "学习习近平新时代中国特色社会主义思想，是否做到了读原著、学原文、悟原理？"
            "有没有以干代学、浅尝辄止、学用脱节的情况？",
        ),
        (
            "T1",
            "是否把学到的理论转化为推动科协工作的思路和举措？"
            "运用党的创新理论分析解决实际问题的能力有没有真正提高？",
        ),
        (
            "T2",
            "是否始终在思想上政治上行动上同党中央保持高度一致？"
            "贯彻落实上级决策部署有没有打折扣、搞变通、做选择？",
        ),
        (
            "T2",
            "入党时的初心是否依然坚定？党性修养、理想信念有没有在日常事务中不知不觉地淡化？",
        ),
        (
            "T3",
            "面对科协改革发展中的难题和矛盾，是否敢于担当、主动作为？"
            "有没有推诿扯皮、遇事绕着走、得过且过的情况？",
        ),
        (
            "T3",
            "工作中是否存在形式主义、官僚主义？"
            "文山会海、重留痕轻实效、层层加码的问题有没有切实纠正？",
        ),
        (
            "T4",
            "是否经常深入基层、深入科技工作者中间，"
            "真正了解他们的所思所盼所忧，还是满足于听汇报、看材料？",
        ),
        (
            "T4",
            "科技工作者反映的急难愁盼问题是否及时回应、切实解决？"
            "服务科技工作者的“最后一公里”有没有打通？",
        ),
        (
            "T5",
            "是否严格遵守中央八项规定及其实施细则精神？"
            "在公务接待、公车使用、经费管理等方面有没有越雷池、打擦边球？",
        ),
        (
            "T5",
            "是否严以律己、严管亲属和身边工作人员？"
            "履行全面从严治党责任、抓好分管领域党风廉政建设是否到位？",
        ),
    ],
}

CHECKLIST_TEMPLATES = {SHIGE_MENXIN_ZIWEN["key"]: SHIGE_MENXIN_ZIWEN}
