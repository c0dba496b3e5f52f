/** The demo catalogue loaded by `webstack seed`: fixed data (prices in cents), no randomness. */

export interface DemoProduct {
  name: string;
  description: string;
  priceCents: number;
  currency: 'EUR' | 'USD' | 'GBP';
  stock: number;
}

const P = (
  name: string,
  priceCents: number,
  stock: number,
  description: string,
  currency: DemoProduct['currency'] = 'EUR',
) => ({
  name,
  description,
  priceCents,
  currency,
  stock,
});

export const DEMO_PRODUCTS: DemoProduct[] = [
  P(
    'Oak Desk Organiser',
    6900,
    24,
    'Three compartments for pens, cards and a phone, cut from one piece of European oak.\n\nFinished with hard wax oil. Each one is numbered on the base.',
  ),
  P(
    'Walnut Desk Organiser',
    8900,
    9,
    'The same three compartments as the oak organiser, in dark American black walnut.\n\nFinished with hard wax oil; darkens gently with age.',
  ),
  P(
    'Stoneware Mug, Speckled White',
    3200,
    60,
    'A 350 ml mug thrown on the wheel and fired to 1280 °C. Heavier than most, and it keeps coffee warm for longer.\n\nDishwasher and microwave safe.',
  ),
  P(
    'Stoneware Mug, Ash Glaze',
    3400,
    41,
    'Our speckled mug in a soft grey-green glaze made from the ash of our own workshop offcuts.\n\nEvery glaze batch is lab-tested for food safety.',
  ),
  P(
    'Pour-Over Coffee Stand',
    7500,
    15,
    'A solid ash stand that holds a dripper at the right height over a mug or a small carafe.\n\nFits most size 02 drippers.',
  ),
  P(
    'Ceramic Dripper 02',
    2800,
    33,
    'A size 02 cone dripper with spiral ribs for an even, steady flow.\n\nUses standard paper filters.',
  ),
  P(
    'Ridge Bookends (pair)',
    5400,
    18,
    'Heavy steel bases wrapped in ash, with a cork underside that stops them sliding on smooth shelves.\n\nSold as a pair.',
  ),
  P(
    'Brass Pen, Hexagonal',
    4500,
    27,
    'A solid brass pen that takes standard G2 refills. It develops a warm patina as you use it.\n\nComes with a black 0.5 mm refill.',
  ),
  P(
    'Brass Pen, Round',
    4500,
    0,
    'The round version of our brass pen: the same weight and the same refills, a softer feel in the hand.\n\nBack in stock soon.',
  ),
  P(
    'A5 Dot Grid Notebook',
    1800,
    120,
    '192 numbered pages of 100 gsm paper that takes fountain pen ink without bleeding.\n\nLay-flat binding, two ribbon markers.',
  ),
  P(
    'A5 Lined Notebook',
    1800,
    95,
    'The same paper and binding as the dot grid notebook, with 6 mm lines.\n\nLay-flat binding, two ribbon markers.',
  ),
  P(
    'A6 Pocket Notebook (3 pack)',
    1500,
    80,
    'Three slim pocket notebooks, 48 pages each, with kraft covers that get better with wear.',
  ),
  P(
    'Leather Notebook Cover, Tan',
    5900,
    12,
    'Vegetable-tanned leather cover for A5 notebooks, with a pen loop and a card slot.\n\nThe leather darkens with use.',
  ),
  P(
    'Leather Notebook Cover, Black',
    5900,
    7,
    'Our A5 cover in black vegetable-tanned leather, with a pen loop and a card slot.',
  ),
  P(
    'Reading Lamp, Ash and Brass',
    18900,
    5,
    'A small reading lamp with a turned ash base and a brass shade, wired with a fabric cable.\n\nTakes an E14 bulb; we include a warm 2700 K LED.',
  ),
  P(
    'Cutting Board, End Grain Maple',
    12500,
    8,
    'An end-grain board in hard maple: kind to knife edges and very hard to wear out.\n\nShips oiled and ready to use.',
  ),
  P(
    'Cutting Board, Walnut',
    7900,
    14,
    'A long-grain walnut board for bread, cheese and everyday chopping.\n\nShips oiled and ready to use.',
  ),
  P(
    'Board Oil, 250 ml',
    1200,
    70,
    'Food-safe mineral oil with a little beeswax, for cutting boards, spoons and bowls.',
  ),
  P(
    'Turned Serving Bowl, Ash',
    9800,
    6,
    'A wide, shallow bowl turned from green ash and turned again once dry, so it stays true.\n\nFor salads, bread and fruit. Hand wash only.',
  ),
  P(
    'Wooden Spoon Set',
    3600,
    22,
    'Three cooking spoons carved from cherry: a stirring spoon, a flat spatula and a small tasting spoon.',
  ),
  P(
    'Waxed Canvas Tote',
    6500,
    19,
    'A sturdy tote in waxed cotton canvas with leather handles, shower-proof and better with age.\n\n40 × 38 × 12 cm.',
  ),
  P(
    'Canvas Wax, 60 g',
    1400,
    44,
    'A bar of our canvas wax for re-proofing bags and jackets. One bar treats a tote about three times.',
  ),
  P(
    'Wool Throw, Grey',
    11900,
    10,
    'A throw woven from undyed British wool in a simple herringbone.\n\n130 × 180 cm.',
    'GBP',
  ),
  P(
    'Wool Throw, Oat',
    11900,
    0,
    'Our herringbone throw in a warm oat colour.\n\n130 × 180 cm. Back in stock after the next weaving run.',
    'GBP',
  ),
  P(
    'Brass Desk Tray',
    3900,
    31,
    'A small brushed-brass tray for keys, clips or a ring at the end of the day.',
  ),
  P(
    'Pencil Set, HB to 4B (6 pack)',
    1100,
    150,
    'Six cedar pencils in HB, B, 2B, 3B and 4B, unsharpened so you can sharpen them your way.',
  ),
  P(
    'Folding Pocket Knife',
    5200,
    13,
    'A simple friction-folding knife with a carbon steel blade and an ash handle.\n\nCheck local laws before carrying.',
  ),
  P(
    'Low-Angle Block Plane',
    14900,
    4,
    'A restored and re-tuned vintage block plane, sharpened and ready to use.\n\nEach one is different; serial number on the box.',
    'USD',
  ),
  P(
    'Marking Gauge',
    4200,
    11,
    'A wheel marking gauge in brass and walnut for clean, accurate lines across the grain.',
    'USD',
  ),
  P(
    'Cold Brew Jar, 1 L',
    3900,
    26,
    'A glass jar with a fine stainless filter for making cold brew in the fridge overnight.',
  ),
  P(
    'Coffee Scoop, Walnut',
    1600,
    48,
    'A carved walnut scoop that holds one dose — about 15 g — of whole beans.',
  ),
  P(
    'Gift Card',
    5000,
    999,
    'A gift card for anything in the shop, delivered by email with a short note from you.\n\nValid for two years.',
  ),
];
