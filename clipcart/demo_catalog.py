"""The demo's shops and products: realistic listings in five markets, in local currency.

Prices are written once in US dollars and scaled by a rough demo rate per currency, then
rounded the way shops in that market price (whole thousands for IDR and VND).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from clipcart.markets import market


@dataclass(frozen=True)
class DemoProduct:
    key: str  # seller SKU prefix
    title: str
    category: str
    description: str
    attributes: dict[str, str]
    options: dict[str, list[str]]
    usd: str  # the base price in US dollars
    brand: str = ""


@dataclass(frozen=True)
class DemoShop:
    market: str
    name: str
    owner_email: str
    owner_handle: str
    owner_name: str
    brand: str
    picks: list[str] = field(default_factory=list)  # product keys, in listing order


# Rough exchange rates, for demo prices only (never used for money movement).
DEMO_RATES = {"USD": "1", "GBP": "0.79", "SGD": "1.35", "IDR": "15800", "VND": "25400",
              "MYR": "4.70", "PHP": "56", "THB": "36"}

PRODUCTS = {p.key: p for p in [
    DemoProduct("DRESS", "Linen summer dress", "Womenswear/Dresses",
                "Breathable washed linen in a relaxed midi cut, with pockets and a tie waist.",
                {"Material": "Linen", "Dress length": "Midi", "Care": "Machine wash"},
                {"Colour": ["Red", "Navy", "Beige"], "Size": ["S", "M", "L"]}, "34.00"),
    DemoProduct("TEE", "Relaxed heavyweight cotton T-shirt", "Menswear/T-shirts & Polos",
                "220 gsm combed cotton, boxy fit, ribbed neckline that keeps its shape.",
                {"Material": "Cotton", "Pattern": "Solid"},
                {"Colour": ["White", "Black", "Green"], "Size": ["M", "L", "XL"]}, "14.00"),
    DemoProduct("JEANS", "Slim stretch jeans", "Menswear/Jeans & Trousers",
                "Stretch denim with a slim leg and a mid rise; five pockets.",
                {"Material": "Denim"}, {"Colour": ["Blue", "Black"],
                                        "Size": ["S", "M", "L", "XL"]}, "39.00"),
    DemoProduct("TOTE", "Canvas everyday tote bag", "Fashion Accessories/Bags",
                "Heavy canvas tote with an inner zip pocket; fits a 14-inch laptop.",
                {"Material": "Canvas", "Bag type": "Tote"},
                {"Colour": ["Beige", "Black", "Navy"]}, "22.00"),
    DemoProduct("BUDS", "Wireless noise-cancelling earbuds",
                "Phones & Electronics/Headphones & Earbuds",
                "Active noise cancelling, 30 hours with the case, USB-C fast charging.",
                {"Warranty": "1 year", "Connectivity": "Bluetooth"},
                {"Colour": ["Black", "White"]}, "49.00"),
    DemoProduct("POWER", "Slim fast-charge power bank",
                "Phones & Electronics/Power Banks & Chargers",
                "20 W USB-C power delivery, charges two phones at once.",
                {"Warranty": "1 year"}, {"Capacity": ["10,000 mAh", "20,000 mAh"]}, "29.00"),
    DemoProduct("SERUM", "Hyaluronic hydrating serum", "Beauty & Personal Care/Skincare",
                "Lightweight serum with three weights of hyaluronic acid; fragrance free.",
                {"Shelf life after opening": "12 months", "Country of origin": "South Korea",
                 "Skin type": "All"}, {"Volume": ["30 ml", "50 ml"]}, "18.00"),
    DemoProduct("LIPS", "Velvet matte lipstick", "Beauty & Personal Care/Makeup",
                "Long-wearing matte colour that does not dry the lips.",
                {"Shelf life after opening": "24 months", "Country of origin": "France"},
                {"Shade": ["Rose", "Coral", "Berry"]}, "12.00"),
    DemoProduct("PAN", "Non-stick frying pan", "Home & Kitchen/Cookware",
                "Forged aluminium with a ceramic non-stick coating; works on induction.",
                {"Material": "Aluminium", "Room": "Kitchen"},
                {"Colour": ["Black", "Grey"]}, "27.00"),
    DemoProduct("BED", "Stonewashed cotton bedding set", "Home & Kitchen/Bedding",
                "Duvet cover and two pillowcases in soft stonewashed cotton.",
                {"Material": "Cotton", "Room": "Bedroom"},
                {"Bed size": ["Single", "Double", "King"]}, "45.00"),
    DemoProduct("COFFEE", "Single-origin arabica coffee beans", "Food & Beverages/Coffee & Tea",
                "Medium roast with notes of chocolate and citrus, roasted weekly.",
                {"Shelf life": "6-12 months", "Storage": "Room temperature"},
                {"Net weight": ["250 g", "500 g"]}, "11.00"),
    DemoProduct("RUN", "Lightweight running trainers", "Shoes/Men's Shoes",
                "Breathable mesh upper and a cushioned foam sole for daily runs.",
                {"Upper material": "Mesh", "Closure": "Laces"},
                {"Colour": ["Black", "White"], "Shoe size (EU)": ["40", "41", "42", "43"]},
                "59.00"),
    DemoProduct("BAND", "Smart fitness band",
                "Phones & Electronics/Smartwatches & Fitness Trackers",
                "Heart rate, sleep and step tracking with a 14-day battery.",
                {"Warranty": "1 year"}, {"Colour": ["Black", "Pink"]}, "35.00"),
]}

_ALL = list(PRODUCTS)
SHOPS = [
    DemoShop("GB", "Camden Loft", "priya@demo.clipcart.dev", "camden.loft", "Priya Shah",
             "Camden Loft", _ALL[:10]),
    DemoShop("US", "Hudson Supply Co.", "marcus@demo.clipcart.dev", "hudson.supply",
             "Marcus Reed", "Hudson", _ALL[2:12]),
    DemoShop("SG", "Lion City Gadgets", "weiling@demo.clipcart.dev", "lioncity.gadgets",
             "Tan Wei Ling", "LionTech", _ALL[3:13]),
    DemoShop("ID", "Toko Jaya Abadi", "siti@demo.clipcart.dev", "toko.jaya", "Siti Rahma",
             "Jaya", _ALL[:5] + _ALL[8:13]),
    DemoShop("VN", "Saigon Home & Style", "minh@demo.clipcart.dev", "saigon.home",
             "Tran Minh", "Saigon Style", _ALL[1:11]),
]


def local_price(usd: str, market_code: str, step_index: int = 0) -> str:
    """The demo price in the market's currency, as decimal text (e.g. "26.90", "539000")."""
    where = market(market_code)
    rate = Decimal(DEMO_RATES[where.currency])
    amount = Decimal(usd) * rate * (1 + Decimal(step_index) / 5)
    if rate >= 1000:  # whole thousands, as shops in IDR and VND price
        return str((amount / 1000).quantize(Decimal(1), ROUND_HALF_UP) * 1000)
    step = Decimal(1).scaleb(-where.price_digits)
    rounded = amount.quantize(Decimal(1), ROUND_HALF_UP) - Decimal("0.10") \
        if where.price_digits else amount.quantize(Decimal(1), ROUND_HALF_UP)
    return str(rounded.quantize(step))
