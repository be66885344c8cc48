"""The tables the synthetic trade of the demo is drawn from: partners with the rough size of
Zhejiang's trade with each in 2019, the province's export mix by HS code, import profiles by
kind of partner, its cities and trade modes.

The sizes are invented but shaped like the province's trade: the United States, the EU, Japan,
Korea and Hong Kong large among all partners; Russia, India, Vietnam, Indonesia, Malaysia,
Thailand, the UAE, Saudi Arabia, the Philippines and Poland large among the countries along the
Belt and Road; small states small; exports about three times imports; crude oil from the Gulf,
iron ore from Australia and Brazil, chips from Korea, Japan and South-East Asia. Every figure
the demo prints is then calibrated from these shapes (``silkhub.stats.demo_trade``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CITIES_EXPORT",
    "CITIES_IMPORT",
    "EXPORT_HS",
    "IMPORT_HS",
    "IMPORT_PROFILES",
    "MARKET_CITIES",
    "PARTNERS",
    "PORT_CITIES",
    "ExportItem",
    "Partner",
]


@dataclass(frozen=True)
class Partner:
    alpha2: str
    exports: float  # 2019, 亿元 (shape only: calibrated later)
    imports: float
    profile: str  # key of IMPORT_PROFILES


def _p(alpha2: str, exports: float, imports: float, profile: str) -> Partner:
    return Partner(alpha2, exports, imports, profile)


PARTNERS: tuple[Partner, ...] = (
    # The 64 countries along the route.
    _p("RU", 560, 260, "russia"),
    _p("IN", 700, 90, "india"),
    _p("VN", 520, 150, "vietnam"),
    _p("MY", 380, 230, "malaysia"),
    _p("TH", 380, 200, "thailand"),
    _p("ID", 420, 230, "indonesia"),
    _p("PH", 300, 60, "electronics"),
    _p("SG", 220, 90, "singapore"),
    _p("AE", 420, 100, "gulf"),
    _p("SA", 280, 320, "gulf"),
    _p("TR", 300, 40, "generic"),
    _p("PK", 220, 20, "southasia"),
    _p("BD", 220, 15, "southasia"),
    _p("IL", 170, 40, "tech"),
    _p("EG", 170, 10, "generic"),
    _p("KZ", 120, 30, "centralasia"),
    _p("IQ", 120, 150, "gulf"),
    _p("UA", 110, 50, "ukraine"),
    _p("IR", 80, 40, "gulf"),
    _p("KH", 80, 10, "seasia"),
    _p("MM", 60, 15, "seasia"),
    _p("KW", 50, 90, "gulf"),
    _p("OM", 40, 140, "gulf"),
    _p("QA", 40, 110, "lng"),
    _p("JO", 40, 5, "generic"),
    _p("LK", 40, 3, "southasia"),
    _p("UZ", 40, 8, "centralasia"),
    _p("KG", 30, 1, "centralasia"),
    _p("BY", 20, 6, "generic"),
    _p("LB", 20, 1, "generic"),
    _p("YE", 15, 2, "gulf"),
    _p("BH", 15, 5, "gulf"),
    _p("GE", 12, 2, "generic"),
    _p("NP", 12, 0.5, "generic"),
    _p("TJ", 12, 1, "centralasia"),
    _p("LA", 10, 5, "seasia"),
    _p("MN", 10, 10, "mongolia"),
    _p("SY", 10, 0.1, "generic"),
    _p("AZ", 8, 2, "gulf"),
    _p("TM", 6, 10, "lng"),
    _p("BN", 5, 40, "brunei"),
    _p("AM", 4, 1, "generic"),
    _p("MD", 3, 0.4, "generic"),
    _p("AF", 3, 0.2, "generic"),
    _p("MV", 3, 0.1, "generic"),
    _p("PS", 2, 0.05, "generic"),
    _p("TL", 1, 0.1, "generic"),
    _p("BT", 0.3, 0.01, "generic"),
    # ... of which the sixteen that are also China-CEEC members.
    _p("PL", 250, 20, "eu"),
    _p("CZ", 85, 15, "eu"),
    _p("RO", 58, 8, "eu"),
    _p("HU", 55, 12, "eu"),
    _p("SK", 30, 9, "eu"),
    _p("SI", 26, 4, "eu"),
    _p("BG", 23, 4, "eu"),
    _p("HR", 21, 2.5, "eu"),
    _p("LT", 21, 2.5, "eu"),
    _p("RS", 17, 2.5, "eu"),
    _p("LV", 12, 1.5, "eu"),
    _p("EE", 12, 1.5, "eu"),
    _p("AL", 4.5, 0.5, "eu"),
    _p("MK", 3, 0.5, "eu"),
    _p("BA", 2.7, 0.4, "eu"),
    _p("ME", 2, 0.2, "eu"),
    # Partners not along the route (Greece: a China-CEEC member since 2019).
    _p("US", 3900, 500, "us"),
    _p("JP", 1100, 700, "japan"),
    _p("DE", 900, 350, "germany"),
    _p("GB", 850, 80, "eu"),
    _p("HK", 700, 10, "generic"),
    _p("KR", 650, 650, "korea"),
    _p("AU", 600, 800, "australia"),
    _p("NL", 600, 50, "eu"),
    _p("ES", 520, 50, "eu"),
    _p("BR", 500, 500, "brazil"),
    _p("FR", 480, 80, "eu"),
    _p("IT", 480, 120, "eu"),
    _p("MX", 450, 40, "generic"),
    _p("CA", 420, 120, "canada"),
    _p("BE", 250, 40, "eu"),
    _p("ZA", 200, 60, "southafrica"),
    _p("NG", 200, 10, "generic"),
    _p("TW", 150, 250, "electronics"),
    _p("CL", 150, 250, "chile"),
    _p("AR", 100, 40, "argentina"),
    _p("SE", 90, 20, "nordic"),
    _p("NZ", 80, 60, "newzealand"),
    _p("PE", 80, 100, "chile"),
    _p("CO", 80, 20, "generic"),
    _p("CH", 70, 40, "eu"),
    _p("DK", 60, 10, "eu"),
    _p("PT", 60, 8, "eu"),
    _p("KE", 60, 2, "generic"),
    _p("GH", 50, 4, "generic"),
    _p("DZ", 50, 3, "generic"),
    _p("GR", 48, 3.5, "eu"),
    _p("FI", 40, 15, "nordic"),
    _p("AT", 40, 30, "eu"),
    _p("MA", 40, 3, "generic"),
    _p("AO", 30, 60, "gulf"),
    _p("ET", 30, 2, "generic"),
    _p("NO", 30, 20, "nordic"),
    _p("IE", 25, 15, "eu"),
)


@dataclass(frozen=True)
class ExportItem:
    hs: str
    weight: float  # share of the province's exports, %
    unit: str  # unit of quantity, as customs writes it
    price: float  # US dollars per unit (for plausible quantities)
    small: bool  # small commodities also sold through market procurement (Yiwu)


def _x(hs: str, weight: float, unit: str, price: float, small: bool = False) -> ExportItem:
    return ExportItem(hs, weight, unit, price, small)


EXPORT_HS: tuple[ExportItem, ...] = (
    # Textiles and garments (chapters 50-63, 65).
    _x("540752", 4.0, "米", 1.1),
    _x("600632", 3.0, "千克", 4.0),
    _x("540233", 1.5, "千克", 1.6),
    _x("550320", 0.8, "千克", 1.2),
    _x("611030", 2.0, "件", 6.5, small=True),
    _x("610910", 1.8, "件", 2.8, small=True),
    _x("620462", 1.5, "件", 7.0, small=True),
    _x("620343", 1.2, "件", 6.0, small=True),
    _x("611595", 1.2, "双", 0.6, small=True),
    _x("630260", 0.8, "千克", 5.0, small=True),
    _x("630140", 0.8, "条", 6.0, small=True),
    _x("630533", 0.6, "千克", 1.8),
    _x("650500", 0.6, "个", 1.5, small=True),
    # Machinery (84).
    _x("841510", 2.0, "台", 260.0),
    _x("841459", 1.2, "台", 12.0),
    _x("841821", 1.0, "台", 150.0),
    _x("848180", 2.5, "千克", 9.0),
    _x("845011", 0.8, "台", 120.0),
    _x("841370", 1.3, "台", 45.0),
    _x("846729", 1.5, "台", 22.0),
    _x("848210", 0.8, "套", 1.2),
    _x("843149", 0.8, "千克", 4.0),
    _x("847989", 0.8, "台", 900.0),
    # Electrical (85).
    _x("854140", 3.5, "个", 45.0),
    _x("851660", 1.5, "台", 25.0),
    _x("850440", 2.0, "个", 18.0),
    _x("851310", 0.8, "个", 1.6, small=True),
    _x("853710", 1.0, "个", 80.0),
    _x("850131", 1.0, "个", 6.0),
    _x("854442", 1.5, "千克", 6.5),
    _x("851821", 0.6, "个", 3.0, small=True),
    _x("850760", 1.2, "个", 3.5),
    _x("851679", 1.0, "台", 8.0, small=True),
    # Furniture, lamps, toys (94, 95).
    _x("940161", 1.5, "件", 90.0),
    _x("940171", 1.2, "件", 45.0),
    _x("940360", 1.5, "件", 70.0),
    _x("940320", 1.0, "件", 35.0),
    _x("940490", 0.8, "千克", 4.5, small=True),
    _x("940540", 1.5, "个", 4.0, small=True),
    _x("950300", 1.5, "千克", 4.0, small=True),
    _x("950590", 1.0, "千克", 3.5, small=True),
    _x("950691", 0.6, "千克", 3.0, small=True),
    # Plastics (39).
    _x("392690", 2.0, "千克", 4.2, small=True),
    _x("392321", 0.8, "千克", 1.9),
    _x("392490", 1.2, "千克", 3.3, small=True),
    _x("391990", 0.6, "千克", 2.8),
    # Iron and steel (72, 73).
    _x("731815", 1.5, "千克", 1.6),
    _x("732393", 1.0, "千克", 4.5, small=True),
    _x("730890", 0.8, "千克", 1.3),
    _x("730431", 0.6, "千克", 1.5),
    _x("721049", 0.5, "千克", 0.8),
    # Vehicles and their parts (87), tyres (40).
    _x("870899", 2.5, "千克", 5.0),
    _x("870830", 0.8, "千克", 4.0),
    _x("871200", 0.6, "辆", 55.0),
    _x("871120", 0.5, "辆", 500.0),
    _x("401110", 1.2, "条", 40.0),
    # Footwear, bags, spectacles, medicines and the rest.
    _x("640299", 1.5, "双", 4.0, small=True),
    _x("420292", 1.2, "个", 3.0, small=True),
    _x("900490", 0.6, "副", 1.5, small=True),
    _x("960390", 0.5, "个", 0.8, small=True),
    _x("961900", 0.6, "千克", 3.5),
    _x("300490", 0.8, "千克", 60.0),
    _x("293390", 1.0, "千克", 45.0),
    _x("691200", 0.5, "千克", 1.5, small=True),
    _x("701959", 0.5, "千克", 2.4),
    _x("761699", 0.8, "千克", 4.5),
    _x("830249", 0.6, "千克", 3.8),
    _x("482390", 0.4, "千克", 2.0),
)

#: Imported goods: unit of quantity and US dollars per unit.
IMPORT_HS: dict[str, tuple[str, float]] = {
    "270900": ("千克", 0.45),  # crude oil
    "271111": ("千克", 0.40),  # liquefied natural gas
    "260111": ("千克", 0.09),  # iron ore
    "270112": ("千克", 0.08),  # coal
    "390110": ("千克", 1.05),  # polyethylene
    "390210": ("千克", 1.10),  # polypropylene
    "290243": ("千克", 0.95),  # p-xylene
    "854231": ("个", 1.8),  # integrated circuits
    "740311": ("千克", 6.0),  # refined copper
    "260300": ("千克", 2.0),  # copper ore
    "470321": ("千克", 0.62),  # wood pulp
    "440399": ("立方米", 180.0),  # logs
    "120190": ("千克", 0.40),  # soya beans
    "151190": ("千克", 0.60),  # palm oil
    "020230": ("千克", 5.2),  # beef
    "030389": ("千克", 2.1),  # frozen fish
    "847989": ("台", 25000.0),  # machinery
    "870323": ("辆", 42000.0),  # cars
    "870899": ("千克", 9.0),  # car parts
    "300490": ("千克", 85.0),  # medicaments
    "901819": ("台", 1500.0),  # medical instruments
    "400122": ("千克", 1.40),  # natural rubber
    "520100": ("千克", 1.75),  # cotton
    "520512": ("千克", 3.1),  # cotton yarn
    "100630": ("千克", 0.55),  # rice
    "081060": ("千克", 3.2),  # durians
    "330499": ("千克", 35.0),  # cosmetics
    "220421": ("升", 6.5),  # wine
    "720260": ("千克", 1.6),  # ferro-nickel
    "151211": ("千克", 0.8),  # sunflower oil
    "100590": ("千克", 0.22),  # maize
    "310420": ("千克", 0.25),  # potassium chloride
}

IMPORT_PROFILES: dict[str, tuple[tuple[str, float], ...]] = {
    "gulf": (("270900", 70), ("390110", 14), ("390210", 10), ("290243", 6)),
    "lng": (("271111", 80), ("390110", 10), ("270900", 10)),
    "russia": (
        ("270900", 40),
        ("440399", 14),
        ("270112", 10),
        ("030389", 10),
        ("740311", 8),
        ("470321", 8),
        ("271111", 6),
        ("310420", 4),
    ),
    "ukraine": (("260111", 35), ("100590", 30), ("151211", 35)),
    "eu": (
        ("847989", 45),
        ("870899", 18),
        ("300490", 15),
        ("901819", 10),
        ("330499", 6),
        ("220421", 6),
    ),
    "germany": (("847989", 40), ("870323", 20), ("870899", 20), ("901819", 10), ("300490", 10)),
    "nordic": (("470321", 50), ("847989", 30), ("030389", 20)),
    "japan": (("847989", 40), ("854231", 20), ("290243", 15), ("870899", 15), ("330499", 10)),
    "korea": (("854231", 35), ("290243", 20), ("390110", 15), ("847989", 20), ("330499", 10)),
    "us": (
        ("120190", 25),
        ("854231", 15),
        ("847989", 20),
        ("901819", 10),
        ("470321", 10),
        ("390110", 10),
        ("300490", 10),
    ),
    "australia": (
        ("260111", 45),
        ("271111", 20),
        ("270112", 15),
        ("020230", 10),
        ("220421", 10),
    ),
    "newzealand": (("440399", 50), ("020230", 30), ("030389", 20)),
    "canada": (("470321", 40), ("270900", 20), ("120190", 20), ("030389", 20)),
    "brazil": (("260111", 50), ("120190", 25), ("270900", 10), ("470321", 10), ("020230", 5)),
    "argentina": (("120190", 50), ("020230", 30), ("030389", 20)),
    "chile": (("740311", 60), ("260300", 20), ("470321", 10), ("220421", 10)),
    "southafrica": (("260111", 60), ("740311", 20), ("220421", 20)),
    "electronics": (("854231", 65), ("847989", 20), ("390110", 15)),
    "vietnam": (
        ("854231", 45),
        ("520512", 20),
        ("400122", 10),
        ("081060", 15),
        ("030389", 10),
    ),
    "singapore": (("854231", 30), ("390110", 25), ("290243", 25), ("847989", 20)),
    "indonesia": (
        ("270112", 30),
        ("151190", 20),
        ("470321", 15),
        ("720260", 15),
        ("400122", 10),
        ("271111", 10),
    ),
    "malaysia": (
        ("854231", 35),
        ("271111", 15),
        ("151190", 15),
        ("390110", 10),
        ("400122", 10),
        ("290243", 5),
        ("847989", 10),
    ),
    "thailand": (
        ("400122", 25),
        ("854231", 20),
        ("290243", 15),
        ("100630", 10),
        ("081060", 15),
        ("847989", 15),
    ),
    "seasia": (("400122", 40), ("100630", 35), ("260300", 25)),
    "brunei": (("290243", 70), ("270900", 30)),
    "southasia": (("520512", 50), ("030389", 25), ("100630", 25)),
    "india": (("520100", 25), ("260111", 25), ("030389", 20), ("854231", 10), ("847989", 20)),
    "centralasia": (("740311", 35), ("260300", 20), ("520100", 25), ("270900", 20)),
    "mongolia": (("270112", 50), ("260300", 50)),
    "tech": (("854231", 45), ("847989", 35), ("901819", 20)),
    "generic": (
        ("847989", 30),
        ("854231", 20),
        ("030389", 20),
        ("400122", 10),
        ("520100", 10),
        ("390110", 10),
    ),
}

#: The eleven cities of the province, by share of exports and of imports.
CITIES_EXPORT: dict[str, float] = {
    "宁波市": 27,
    "金华市": 16,
    "杭州市": 14,
    "绍兴市": 9,
    "嘉兴市": 8,
    "温州市": 8,
    "台州市": 7,
    "湖州市": 5,
    "舟山市": 2,
    "衢州市": 2,
    "丽水市": 2,
}
CITIES_IMPORT: dict[str, float] = {
    "宁波市": 40,
    "杭州市": 16,
    "舟山市": 14,
    "嘉兴市": 9,
    "绍兴市": 6,
    "台州市": 4,
    "温州市": 4,
    "湖州市": 3,
    "金华市": 2,
    "衢州市": 1,
    "丽水市": 1,
}
#: Bulk cargo comes in through the sea ports only.
PORT_CITIES: dict[str, float] = {"宁波市": 60, "舟山市": 35, "嘉兴市": 5}
BULK_HS = frozenset({"270900", "271111", "260111", "270112", "260300"})
#: Market procurement (市场采购): the Yiwu pilot, and Wenzhou's since 2018.
MARKET_CITIES: dict[str, float] = {"金华市": 85, "温州市": 15}
