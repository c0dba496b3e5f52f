/**
 * The demo content loaded by `webstack seed`: fixed data, no randomness and no clock, so that
 * loading it twice gives the same rows. Articles are built from a title, a lead and a topic's
 * sections; dates are spread over several months from a fixed start.
 */

export interface DemoUser {
  email: string;
  displayName: string;
  role: 'admin' | 'editor' | 'member';
}

export const DEMO_USERS: DemoUser[] = [
  { email: 'admin@foobar.com', displayName: 'Alex Admin', role: 'admin' },
  { email: 'ops@foobar.com', displayName: 'Olu Okafor', role: 'admin' },
  { email: 'editor@foobar.com', displayName: 'Eva Lindqvist', role: 'editor' },
  { email: 'writer@foobar.com', displayName: 'Tomás Ruiz', role: 'editor' },
  { email: 'maya@foobar.com', displayName: 'Maya Chen', role: 'editor' },
  { email: 'member@foobar.com', displayName: 'Morgan Member', role: 'member' },
  { email: 'sam@foobar.com', displayName: 'Sam Patel', role: 'member' },
];

type Topic = 'workshop' | 'guide' | 'engineering' | 'news' | 'care';

const ARTICLE_SEEDS: [title: string, topic: Topic, lead: string][] = [
  [
    'Welcome to the new foobar.com',
    'news',
    'After a year of planning, the shop and the journal finally live under one roof.',
  ],
  [
    'How we choose the wood for our desk organisers',
    'workshop',
    'Every organiser starts as a rough plank of oak or walnut, and most planks never make the cut.',
  ],
  [
    'A beginner’s guide to pour-over coffee',
    'guide',
    'Pour-over is the simplest way to taste what a coffee really is, and the easiest to get wrong.',
  ],
  [
    'Serving a whole shop from one small server',
    'engineering',
    'foobar.com runs on a single machine: Nginx in front, Node.js behind it and MariaDB underneath.',
  ],
  [
    'Caring for a leather notebook cover',
    'care',
    'Leather ages well if you let it, and a few minutes a year keep it supple.',
  ],
  [
    'Why our mugs are a little heavier than most',
    'workshop',
    'The extra weight is stoneware, fired hotter and longer than a typical mug.',
  ],
  [
    'Ten minutes to a tidier desk',
    'guide',
    'You do not need a new system, just a place for the five things you touch every day.',
  ],
  [
    'Zero-downtime deploys without a cluster',
    'engineering',
    'A deploy should be boring: new workers start, old ones drain, nobody notices.',
  ],
  [
    'Spring collection: brass and ash',
    'news',
    'Four new pieces pair brushed brass with pale ash from a mill two hours north of the workshop.',
  ],
  [
    'Sharpening a pencil with a knife',
    'guide',
    'A knife-sharpened pencil holds a finer point longer than anything a sharpener produces.',
  ],
  [
    'Oiling a wooden cutting board',
    'care',
    'A dry board cracks; a board oiled once a month will outlive the kitchen it sits in.',
  ],
  [
    'The case for server-rendered HTML',
    'engineering',
    'Our pages work without JavaScript, and that choice made almost everything else simpler.',
  ],
  [
    'Inside the glaze room',
    'workshop',
    'Glazes are mixed by weight to the tenth of a gram, and every batch gets a test tile.',
  ],
  [
    'Choosing a fountain pen nib',
    'guide',
    'Extra fine, fine, medium, broad: the right nib depends more on your paper than your hand.',
  ],
  [
    'We are now shipping to Canada and Australia',
    'news',
    'Orders to Canada and Australia now leave the workshop within two working days.',
  ],
  [
    'How our sessions survive a restart',
    'engineering',
    'Sessions live in the database, so any worker can answer any request and restarts log nobody out.',
  ],
  [
    'Descaling a kettle with citric acid',
    'care',
    'Limescale slows a kettle down and flavours the water; citric acid removes it in twenty minutes.',
  ],
  [
    'From sketch to shelf: the Ridge bookend',
    'workshop',
    'The Ridge bookend went through eleven prototypes before it stopped sliding on a smooth shelf.',
  ],
  [
    'Five notebooks, five jobs',
    'guide',
    'Dot grid for planning, blank for sketching, lined for writing: each notebook earns its place.',
  ],
  [
    'Markdown, sanitized: how we render articles',
    'engineering',
    'Every article is written in Markdown and turned into HTML once, when it is saved.',
  ],
  [
    'Meet the team: Eva, our editor',
    'news',
    'Eva joined us from a small publishing house and now keeps the journal honest and on time.',
  ],
  [
    'Looking after cast iron',
    'care',
    'Cast iron wants heat, fat and patience; soap, it turns out, is fine in moderation.',
  ],
  [
    'Why we sand to 240 grit and stop',
    'workshop',
    'Past 240 grit, oil has trouble soaking into oak, and the finish ends up weaker, not smoother.',
  ],
  [
    'A calmer inbox in one afternoon',
    'guide',
    'Three folders and two rules cleared a twelve-thousand-message inbox in a single afternoon.',
  ],
  [
    'Backups you have actually restored',
    'engineering',
    'A backup you have never restored is a hope, not a backup, so ours are restored every night.',
  ],
  [
    'Summer opening hours',
    'news',
    'The workshop shop is open late on Thursdays through August, and closed on public holidays.',
  ],
  [
    'Storing fountain pen ink',
    'care',
    'Ink keeps for years in a cool dark drawer, and for weeks on a sunny windowsill.',
  ],
  [
    'Turning a bowl from green wood',
    'workshop',
    'Green wood cuts like butter, then moves as it dries, which is exactly why we turn it twice.',
  ],
  [
    'The right light for reading',
    'guide',
    'Warm light around 2700 K, placed behind the shoulder, is kinder to the eyes than any overhead lamp.',
  ],
  [
    'Content-hashed assets and immutable caching',
    'engineering',
    'Our stylesheet has its hash in its name, so browsers can keep it for a year without asking.',
  ],
  [
    'Our packaging is now plastic-free',
    'news',
    'Every parcel now ships in recycled card, paper tape and shredded offcuts from the workshop.',
  ],
  [
    'Waxing a canvas bag',
    'care',
    'A bar of wax and a hair dryer turn a plain canvas bag into a shower-proof one.',
  ],
  [
    'Dovetails by hand, one evening at a time',
    'workshop',
    'Hand-cut dovetails are slow, and the slowness is most of the pleasure.',
  ],
  [
    'Brewing cold brew at home',
    'guide',
    'Coarse grounds, cold water and fourteen hours give a smooth concentrate that keeps for a week.',
  ],
  [
    'Rate limiting the login form',
    'engineering',
    'Ten attempts a minute is plenty for a person and far too few for a password-guessing script.',
  ],
  [
    'A new home for the workshop',
    'news',
    'We moved into an old print works with north light, a loading bay and room for a second lathe.',
  ],
  [
    'Cleaning brass without polish',
    'care',
    'Lemon juice and salt bring back the shine; leave the patina alone if you prefer it.',
  ],
  [
    'Testing a glaze for food safety',
    'workshop',
    'Every glaze that touches food is lab-tested for lead and cadmium before it reaches a mug.',
  ],
  [
    'Keeping a reading journal',
    'guide',
    'Three lines per book — what it said, what you thought, one quotation — are enough to remember it.',
  ],
  [
    'One database, least privilege',
    'engineering',
    'The site connects with an account that can read and write rows, and nothing else.',
  ],
  [
    'Holiday shipping dates',
    'news',
    'Order by the fourteenth of December for delivery before the holidays anywhere in Europe.',
  ],
  [
    'Re-proofing a waxed jacket',
    'care',
    'Once a year, warm wax worked into the seams keeps a waxed jacket dry for another winter.',
  ],
  [
    'Steam-bending ash for chair backs',
    'workshop',
    'Ash bends beautifully after an hour in the steam box, and springs back a little less each time.',
  ],
  [
    'Planning a week on one page',
    'guide',
    'A single page with seven columns and a short list of priorities beats any planning app we tried.',
  ],
  [
    'Health checks that mean something',
    'engineering',
    'Our readiness check asks the database a question; if it cannot answer, neither can the site.',
  ],
  [
    'Workshop open day, 14 September',
    'news',
    'Come and see the lathes, try the glaze room and take home a seconds mug for a song.',
  ],
  [
    'Caring for a wool throw',
    'care',
    'Wool rarely needs washing; airing it outside on a dry day does most of the work.',
  ],
  [
    'Why every product has a serial number',
    'workshop',
    'A serial number tells us which batch of wood or clay a piece came from, years later.',
  ],
  [
    'Stocking a first toolbox',
    'guide',
    'A good hammer, a tape, two screwdrivers and a sharp knife cover most jobs around the house.',
  ],
  [
    'Pagination that does not skip rows',
    'engineering',
    'Keyset pagination keeps its place even while new articles are published above it.',
  ],
  [
    'Ten years of foobar',
    'news',
    'It started with a single lathe in a garage; ten years later there are nine of us.',
  ],
  [
    'Restoring an old wooden plane',
    'workshop',
    'A rusty plane from a flea market can cut as well as a new one after a weekend of work.',
  ],
  [
    'Drafting an article for the journal',
    'guide',
    'A note for contributors: what we look for, how long to write and how editing works.',
  ],
  [
    'Notes on a slow query',
    'engineering',
    'A missing index turned a ten-millisecond page into a two-second one; here is how we found it.',
  ],
];

const SECTIONS: Record<Topic, string[][]> = {
  workshop: [
    [
      '## What we look for',
      'Straight grain, no shakes, and a moisture reading between eight and ten percent. Anything wetter goes back in the rack for another season.',
    ],
    [
      '## The process',
      '1. Rough cut and rest for a week\n2. Plane to thickness\n3. Cut the joinery\n4. Sand, oil and cure for three days',
    ],
    [
      '## What can go wrong',
      'Wood moves. A piece that looks perfect in March can open a hairline crack by August, which is why we hold every batch for a month before it ships.',
    ],
    [
      '> Measure twice, cut once, and then measure again because the first two were probably in a hurry.',
      '— a sign above the workshop door',
    ],
    [
      '## Tools on the bench',
      '- a low-angle block plane\n- a marking gauge\n- a set of chisels from 6 to 25 mm\n- far too many clamps',
    ],
  ],
  guide: [
    [
      '## What you need',
      '- a little time\n- the right tool for the job, not the most expensive one\n- somewhere to write down what worked',
    ],
    [
      '## Step by step',
      '1. Start small\n2. Change one thing at a time\n3. Keep what works and drop what does not',
    ],
    [
      '## Common mistakes',
      'Doing everything at once is the usual one. The second is buying equipment before knowing what you actually need.',
    ],
    [
      '## Quick tip',
      'If in doubt, do it the **simple** way first. You can always refine it later, and usually you will not need to.',
    ],
    [
      '## Further reading',
      'We keep a short list of books and articles on the subject at the workshop; ask us at [hello@foobar.com](mailto:hello@foobar.com).',
    ],
  ],
  engineering: [
    [
      '## The setup',
      'One Debian machine runs Nginx, a Node.js application server with one worker per core, and MariaDB. Nginx serves `/assets/` and `/uploads/` straight from disk.',
    ],
    [
      '## In code',
      "```ts\nconst page = await db\n  .selectFrom('articles')\n  .where('status', '=', 'published')\n  .orderBy('published_at', 'desc')\n  .limit(20)\n  .execute();\n```",
    ],
    [
      '## Why it matters',
      'Every moving part we remove is one less thing to monitor at three in the morning. Simple systems fail in simple ways.',
    ],
    [
      '## Trade-offs',
      '| Choice | Gain | Cost |\n|---|---|---|\n| One server | simplicity | a single point of failure |\n| Sessions in the database | stateless workers | one query per request |',
    ],
    [
      '## What we measure',
      'Request latency at the 50th and 99th percentile, error rate, and how long the database takes to answer the readiness check.',
    ],
  ],
  news: [
    [
      '## What changes for you',
      'Nothing you need to do: your account, your orders and your saved addresses all carry over.',
    ],
    [
      '## Thank you',
      'None of this happens without the people who buy from us, write to us and tell their friends. Thank you.',
    ],
    [
      '## Dates',
      '- Orders placed before Friday ship on Monday\n- The workshop shop is open Tuesday to Saturday\n- Questions: [hello@foobar.com](mailto:hello@foobar.com)',
    ],
    [
      '## What is next',
      'More on the journal soon: we are writing up the whole process, from the first sketch to the finished piece.',
    ],
  ],
  care: [
    ['## You will need', '- a soft lint-free cloth\n- warm water\n- ten minutes and a bit of patience'],
    [
      '## How to do it',
      '1. Clean off dust and dirt\n2. Apply a thin layer, working with the grain\n3. Leave it overnight\n4. Buff off the excess',
    ],
    [
      '## How often',
      'Once or twice a year for most things, more often if it lives in a kitchen or gets used every day.',
    ],
    ['## What to avoid', 'Harsh detergents, dishwashers and direct heat. When in doubt, *less* is more.'],
  ],
};

export interface DemoArticle {
  slug: string;
  title: string;
  body: string;
  status: 'draft' | 'published';
  authorEmail: string;
  /** Fixed, so re-running the seed changes nothing. */
  publishedAt: Date;
}

const AUTHORS = ['editor@foobar.com', 'writer@foobar.com', 'maya@foobar.com', 'admin@foobar.com'];
/** The oldest article's date; the others follow every three days or so. */
const FIRST_DAY = Date.UTC(2025, 8, 1, 9, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

export function demoArticles(slugOf: (title: string) => string): DemoArticle[] {
  return ARTICLE_SEEDS.map(([title, topic, lead], i) => {
    const pool = SECTIONS[topic];
    const sections = [0, 1, 2].flatMap((k) => pool[(i + k * 2) % pool.length] ?? []);
    return {
      slug: slugOf(title),
      title,
      body: [lead, ...sections].join('\n\n'),
      // Roughly one in nine is still a draft.
      status: i % 9 === 4 ? 'draft' : 'published',
      authorEmail: AUTHORS[i % AUTHORS.length] ?? 'editor@foobar.com',
      publishedAt: new Date(FIRST_DAY + i * 3 * DAY + (i % 5) * 3_600_000),
    };
  });
}
