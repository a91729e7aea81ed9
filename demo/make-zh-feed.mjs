#!/usr/bin/env node
// Writes demo/feeds/zh-news-gbk.xml: a simplified-Chinese RSS 2.0 feed whose
// bytes are GBK (not UTF-8), declared only in the XML declaration, with
// WeChat-style lazy images (<img data-src=... src="data:...">).
// The source text lives here as UTF-8; run `node demo/make-zh-feed.mjs`.
// All news items are fictional.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'feeds', 'zh-news-gbk.xml');

// 1x1 transparent GIF, the usual lazy-load placeholder.
const PLACEHOLDER = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

const wxImg = (n, w, h) =>
  `<img class="rich_pages wxw-img" data-ratio="${(h / w).toFixed(4)}" data-s="300,640" data-type="jpeg" data-w="${w}" ` +
  `data-src="__ORIGIN__/img/zh-${n}.jpg" src="${PLACEHOLDER}" style="width: 100%; height: auto;">`;

const items = [
  {
    title: '国产大模型厂商密集发布推理模型，价格战进入“毫秒级”竞争',
    slug: '2026/11/26/llm-inference-price-war',
    date: 'Thu, 26 Nov 2026 10:03:00 +0800',
    author: '张明远',
    cats: ['人工智能', '大模型'],
    html: `<p><strong>钛时代11月26日消息</strong>，本周内已有四家国产大模型厂商先后发布新一代推理模型，并同步下调API调用价格。其中，云帆科技将旗舰模型的输入价格降至每百万tokens 0.8元，较三个月前下降约六成。</p>
<p>${wxImg(2, 900, 600)}</p>
<p>业内人士指出，本轮竞争的焦点已经从“参数规模”转向“响应速度”和“单位成本”。多家厂商在发布会上强调首字延迟进入百毫秒以内，并开始按推理时长而非调用次数计费。</p>
<blockquote><p>“价格战不是目的，真正的门槛在于谁能把推理成本持续压下去。”——一位不愿具名的投资人表示。</p></blockquote>
<p>据不完全统计，今年以来国内已有超过30款通过备案的大模型产品面向企业开放，金融、政务和制造业是落地最快的三个行业。</p>`,
  },
  {
    title: '新能源汽车11月前三周零售同比增长28%，出口占比创新高',
    slug: '2026/11/25/nev-sales-november',
    date: 'Wed, 25 Nov 2026 16:45:00 +0800',
    author: '李然',
    cats: ['汽车', '新能源'],
    html: `<p>乘用车市场信息联席会最新数据显示，11月1日至22日，全国乘用车市场新能源车零售约98.6万辆，同比增长28%，新能源渗透率达到58.3%。</p>
<p>${wxImg(3, 1280, 720)}</p>
<p>值得注意的是，出口继续成为重要增量。前三周新能源车出口约21万辆，占厂商批发量的比重首次突破20%，东南亚、中东和拉美市场增长明显。</p>
<ul><li>插电混动车型零售同比增长41%，增速继续高于纯电；</li><li>15万元以下车型占新能源零售总量的一半以上；</li><li>年末冲量叠加以旧换新补贴，12月有望再创单月新高。</li></ul>
<p>分析人士认为，明年购置税减半政策落地后，行业竞争将更加激烈，二三线品牌的整合速度可能加快。</p>`,
  },
  {
    title: '一线城市发布低空经济三年行动计划，无人机配送将覆盖主要城区',
    slug: '2026/11/24/low-altitude-economy-plan',
    date: 'Tue, 24 Nov 2026 09:30:00 +0800',
    author: '王晓晨',
    cats: ['城市', '政策'],
    html: `<p>11月24日，某一线城市正式发布《低空经济高质量发展三年行动计划（2027—2029年）》，提出到2029年建成起降点1200个以上，开通无人机物流航线500条，低空经济产业规模突破千亿元。</p>
<p>${wxImg(1, 1080, 720)}</p>
<p>计划明确，将优先在医疗急救、外卖即时配送和城市巡检三个场景推进规模化应用，并探索建设统一的低空飞行服务平台，实现飞行计划“一网申报、分钟级审批”。</p>
<p>多家物流企业表示，目前单次无人机配送成本已降至8元左右，接近传统骑手配送水平，但在噪音、隐私和安全责任划分等方面仍有待配套法规明确。</p>`,
  },
  {
    title: 'A股科技板块午后拉升，半导体指数涨超3%',
    slug: '2026/11/23/a-share-semiconductor-rally',
    date: 'Mon, 23 Nov 2026 15:12:00 +0800',
    author: '钛时代财经',
    cats: ['财经', '半导体'],
    html: `<p>周一午后，A股科技板块集体走强，半导体指数收涨3.4%，创下近两个月最大单日涨幅。沪深两市成交额合计1.42万亿元，较上一交易日放量约12%。</p>
<p>${wxImg(4, 1080, 608)}</p>
<table><thead><tr><th>指数</th><th>收盘</th><th>涨跌幅</th></tr></thead>
<tbody><tr><td>上证指数</td><td>3412.56</td><td>+0.86%</td></tr><tr><td>深证成指</td><td>11028.37</td><td>+1.52%</td></tr><tr><td>创业板指</td><td>2291.04</td><td>+2.17%</td></tr><tr><td>半导体指数</td><td>5188.90</td><td>+3.40%</td></tr></tbody></table>
<p>消息面上，有报道称国内存储芯片厂商新一代产品良率取得突破；此外，多家券商发布研报，认为明年消费电子补库存周期将带动上游芯片需求回升。</p>
<p><em>风险提示：本文不构成任何投资建议。</em></p>`,
  },
  {
    title: '跨境电商“黑五”大促开启：中小卖家如何应对物流成本上涨',
    slug: '2026/11/20/cross-border-black-friday',
    date: 'Fri, 20 Nov 2026 11:20:00 +0800',
    author: '陈嘉怡',
    cats: ['电商', '出海'],
    html: `<p>一年一度的“黑色星期五”购物季即将到来。与往年不同，今年不少中小卖家最头疼的不是流量，而是物流：受运力紧张影响，11月中美航线海运价格较9月上涨近40%。</p>
<p>深圳一位主营家居用品的卖家告诉记者，她今年提前两个月把货发进了海外仓，“多付了一些仓储费，但至少不会断货”。</p>
<h3>卖家的三种应对策略</h3>
<ol><li>提前备货至海外仓，以仓储成本换取时效；</li><li>对低客单价商品转向平台的“全托管”模式；</li><li>与同类卖家拼柜，分摊头程物流费用。</li></ol>
<p>业内预计，今年“黑五”期间中国跨境卖家整体销售额仍将保持两位数增长。</p>`,
  },
  {
    title: '36家企业入选首批“数据要素×”典型案例，工业和医疗领域占比过半',
    slug: '2026/11/18/data-element-cases',
    date: 'Wed, 18 Nov 2026 08:00:00 +0800',
    author: '周子航',
    cats: ['数字经济'],
    html: `<p>日前，首批“数据要素×”典型案例名单公布，共有36家企业的项目入选，覆盖工业制造、医疗健康、交通运输、金融服务等12个领域，其中工业和医疗相关案例合计19个。</p>
<p>从入选案例看，企业普遍采用“数据不出域、可用不可见”的隐私计算方案，在保证数据安全的前提下实现跨机构联合建模。</p>
<p>专家表示，数据资产入表、数据交易所规则完善以及公共数据授权运营，将是明年数据要素市场的三条主线。</p>`,
  },
  {
    title: '智能手机出货量连续第四个季度回暖，折叠屏份额升至5.1%',
    slug: '2026/11/12/smartphone-shipments-q3',
    date: 'Thu, 12 Nov 2026 13:40:00 +0800',
    author: '李然',
    cats: ['消费电子'],
    html: `<p>第三方研究机构最新报告显示，2026年第三季度中国智能手机市场出货量约7120万台，同比增长4.6%，这是该市场连续第四个季度实现同比增长。</p>
<p>其中，折叠屏手机出货量达到约363万台，市场份额升至5.1%，首次突破5%。报告认为，价格下探至5000元档位以及铰链可靠性提升，是折叠屏走向主流的关键。</p>
<p>不过也有分析师提醒，存储芯片价格自二季度以来持续上涨，可能压缩中低端机型的利润空间，明年上半年部分机型或面临涨价。</p>`,
  },
  {
    title: '对话创业者：从外卖骑手到机器人公司创始人，他用了六年',
    slug: '2026/11/05/interview-robotics-founder',
    date: 'Thu, 05 Nov 2026 20:15:00 +0800',
    author: '王晓晨',
    cats: ['创投', '机器人'],
    html: `<p>2020年，28岁的刘畅还在杭州送外卖。六年后，他创办的楼宇配送机器人公司刚刚完成1.5亿元B轮融资，机器人已进入全国200多栋写字楼。</p>
<blockquote><p>“送外卖的时候我每天要等电梯一个多小时，那时候我就想，最后一百米能不能交给机器人。”</p></blockquote>
<p>在刘畅看来，机器人创业最难的不是技术，而是和物业、电梯厂商逐一谈合作。“每一栋楼都是一个新的项目，没有捷径。”</p>
<p>谈到下一步计划，他表示公司将在明年进入医院和酒店场景，并尝试把业务拓展到东南亚市场。</p>`,
  },
];

const cdata = (s) => `<![CDATA[${s}]]>`;

const xml = `<?xml version="1.0" encoding="gbk"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>钛时代 · 科技快讯</title>
<link>__ORIGIN__/zh/</link>
<atom:link href="__ORIGIN__/zh-news-gbk.xml" rel="self" type="application/rss+xml" />
<description>钛时代：关注科技、财经与产业变革，每日精选科技商业资讯。</description>
<language>zh-cn</language>
<copyright>Copyright 2026 钛时代 版权所有</copyright>
<lastBuildDate>Thu, 26 Nov 2026 10:05:12 +0800</lastBuildDate>
<image>
<url>__ORIGIN__/icons/zh-news.png</url>
<title>钛时代 · 科技快讯</title>
<link>__ORIGIN__/zh/</link>
</image>
${items
  .map(
    (it) => `<item>
<title>${cdata(it.title)}</title>
<link>__ORIGIN__/zh/${it.slug}.html</link>
<guid isPermaLink="true">__ORIGIN__/zh/${it.slug}.html</guid>
<pubDate>${it.date}</pubDate>
<dc:creator>${cdata(it.author)}</dc:creator>
${it.cats.map((c) => `<category>${cdata(c)}</category>`).join('\n')}
<description>${cdata(it.html)}</description>
</item>`,
  )
  .join('\n')}
</channel>
</rss>
`;

const bytes = iconv.encode(xml, 'gbk');
// Refuse to write a lossy file: every character must survive GBK.
const back = iconv.decode(bytes, 'gbk');
if (back !== xml) {
  const bad = [...xml].filter((ch) => iconv.decode(iconv.encode(ch, 'gbk'), 'gbk') !== ch);
  throw new Error(`characters not representable in GBK: ${[...new Set(bad)].join(' ')}`);
}
await writeFile(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes, ${items.length} items, GBK)`);
