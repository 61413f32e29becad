"""The demo's news stage: the reference article, published in 工作动态.

Its title, date (2019-09-16), source (聊城市科学技术协会) and author are the
facts of ``REFERENCE.md``; the body is our own account of the meeting from
those facts (who met, who presided, who spoke, what was required), never the
original article's sentences. It links to the demo's deployment meeting and
campaign. Real names appear only where the fact is about them: the presider,
the speakers, and the author credited by the article.

:func:`load` is idempotent: the article is matched by source and title.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from rectify.news import services
from rectify.news.models import Article, Category
from rectify.study.models import Meeting

from .study import DEPLOYMENT_TITLE

TITLE = "聊城市科协“不忘初心、牢记使命”主题教育工作会议召开"
AUTHOR = "张静"
SOURCE = "SD-LC"
PUBLISHED = dt.datetime(2019, 9, 16, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
#: Our own account of the meeting, written from the facts of REFERENCE.md.
BODY = """<p>2019年9月16日上午，聊城市科学技术协会召开“不忘初心、牢记使命”主题教育工作会议，\
学习习近平总书记在中央主题教育工作会议上的重要讲话，对市科协的主题教育进行安排部署。</p>
<p>市科协党组成员、副主席潘云霞主持会议。市科协党组书记王延飞作动员部署；\
市委“不忘初心、牢记使命”主题教育第七巡回指导组组长刘全来到会指导并讲话。\
第七巡回指导组成员，市科协机关和直属单位的全体党员、干部和职工参加了会议。</p>
<h2>总要求和五项目标</h2>
<p>会议明确，这次主题教育的总要求是“守初心、担使命，找差距、抓落实”，\
五项目标要求是：理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题、清正廉洁作表率。\
学习教育、调查研究、检视问题、整改落实四项重点措施一体推进，以学促研、以研促查、以查促改。</p>
<h2>党组书记部署的工作</h2>
<ul>
<li>拿五项目标要求逐项对照，找准差距。</li>
<li>以问题为导向，查找问题、解决问题；制定专项整改方案，建立问题清单、整改清单、责任清单，\
每项整改都有责任人和完成时限。</li>
<li>把主题教育与科协“四服务”职责和各项工作、与科协改革结合起来，发现和培树典型，让经验成为品牌。</li>
<li>防止形式主义、官僚主义，工作要严、要实。</li>
</ul>
<h2>巡回指导组提出的要求</h2>
<ol>
<li>四项重点措施都要围绕主题主线展开。</li>
<li>紧扣目标要求不放松。</li>
<li>四项重点措施贯通推进，学和做相结合，查和改相衔接。</li>
<li>分级分类推进：以县处级以上领导班子和领导干部为重点，全体党员都要覆盖到。</li>
<li>着力解决实际问题——领导班子和党员自身的突出问题、群众反映的热点难点问题、\
服务科技工作者的“最后一公里”问题，把科协建成科技工作者之家，\
用科技工作者的获得感和满意度来检验主题教育的成效。</li>
</ol>
"""


def load(*, campaign, units, people, targets, admin) -> int:
    """Publish the reference article if it is missing; returns 1 when created now."""
    source = units[SOURCE]
    if Article.all_objects.filter(source=source, title=TITLE).exists():
        return 0
    meeting = Meeting.objects.filter(campaign=campaign, unit=source, title=DEPLOYMENT_TITLE).first()
    article = services.article_create(
        source=source,
        title=TITLE,
        category=Category.WORK,
        author=AUTHOR,
        body=BODY,
        campaign=campaign,
        meeting=meeting,
        acting_user=admin,
        reason="演示数据：参考案例的新闻稿",
    )
    services.article_publish(article=article, at=PUBLISHED, acting_user=admin)
    return 1
