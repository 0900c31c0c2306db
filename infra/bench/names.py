"""Name pools of the benchmark's people, weighted as names are spread in
Senegal: a few family names very common (Diop, Ndiaye, Fall...), many rare;
first names of the Wolof, Pulaar, Serer and Mandinka traditions."""

from __future__ import annotations

FAMILIES: tuple[tuple[str, int], ...] = (
    ("Diop", 60), ("Ndiaye", 58), ("Fall", 40), ("Sow", 36), ("Diallo", 34), ("Gueye", 30), ("Ba", 28),
    ("Faye", 24), ("Sarr", 22), ("Mbaye", 20), ("Cissé", 18), ("Sy", 17), ("Seck", 16), ("Thiam", 15),
    ("Niang", 14), ("Kane", 13), ("Diouf", 13), ("Sène", 12), ("Camara", 12), ("Touré", 11), ("Dieng", 10),
    ("Wade", 10), ("Lô", 9), ("Ndour", 9), ("Sall", 9), ("Mbengue", 8), ("Diagne", 8), ("Samb", 8),
    ("Tall", 7), ("Kâ", 7), ("Badji", 7), ("Coly", 6), ("Mané", 6), ("Sané", 6), ("Diatta", 6), ("Bodian", 5),
    ("Ndoye", 5), ("Diaw", 5), ("Gaye", 5), ("Ngom", 5), ("Dione", 5), ("Sagna", 4), ("Goudiaby", 4),
    ("Tamba", 4), ("Kandé", 4), ("Baldé", 4), ("Barry", 4), ("Bâ", 3), ("Fofana", 3), ("Keïta", 3),
    ("Konaté", 3), ("Traoré", 3), ("Dramé", 3), ("Sylla", 3), ("Sakho", 3), ("Mendy", 3), ("Gomis", 3),
    ("Sambou", 2), ("Manga", 2), ("Diémé", 2), ("Tendeng", 2), ("Senghor", 2), ("Dioh", 2), ("Ndong", 2),
    ("Thiaw", 2), ("Loum", 2), ("Mbow", 2), ("Boye", 2), ("Guèye", 2), ("Niasse", 2), ("Mboup", 2),
    ("Bèye", 1), ("Cabral", 1), ("Dabo", 1), ("Dia", 1), ("Fadiga", 1), ("Guissé", 1), ("Hanne", 1),
    ("Kébé", 1), ("Ly", 1), ("Mbodj", 1), ("Ndao", 1), ("Pouye", 1), ("Sidibé", 1), ("Soumaré", 1),
    ("Tine", 1), ("Wagué", 1), ("Yade", 1), ("Zoumarou", 1), ("Bakhoum", 1), ("Coulibaly", 1),
    ("Djiba", 1), ("Éboué", 1), ("Gassama", 1), ("Kouyaté", 1), ("Mbacké", 1), ("N'Diaye", 1),
    ("N'Dour", 1), ("Sougou", 1), ("Thioune", 1), ("Wilane", 1),
)  # fmt: skip
"""Family names and their relative frequency."""

MEN: tuple[tuple[str, int], ...] = (
    ("Mamadou", 30), ("Moussa", 20), ("Ousmane", 18), ("Ibrahima", 18), ("Cheikh", 16), ("Abdoulaye", 16),
    ("Modou", 14), ("Serigne", 10), ("Pape", 12), ("Alioune", 9), ("Babacar", 9), ("Lamine", 8),
    ("Malick", 7), ("Souleymane", 8), ("Omar", 7), ("Assane", 7), ("El Hadji", 8), ("Mbaye", 5),
    ("Samba", 6), ("Demba", 5), ("Aliou", 6), ("Boubacar", 6), ("Amadou", 8), ("Idrissa", 4),
    ("Mouhamed", 7), ("Saliou", 4), ("Djibril", 4), ("Papa Demba", 2), ("Mame Cheikh", 2), ("Khadim", 3),
    ("Thierno", 3), ("Youssou", 3), ("Ismaïla", 3), ("Daouda", 3), ("Bakary", 2), ("Seydou", 2),
    ("Adama", 2), ("Landing", 1), ("Sidy", 2), ("Fallou", 3), ("Ablaye", 2), ("Bamba", 3), ("Birame", 1),
    ("Doudou", 2), ("Elimane", 1), ("Gorgui", 1), ("Insa", 1), ("Kéba", 1), ("Latyr", 1), ("Magatte", 1),
    ("Ngagne", 1), ("Pathé", 1), ("Racine", 1), ("Sadibou", 1), ("Tidiane", 1), ("Yankhoba", 1),
)  # fmt: skip
"""Men's first names and their relative frequency."""

WOMEN: tuple[tuple[str, int], ...] = (
    ("Fatou", 30), ("Aminata", 20), ("Awa", 18), ("Mariama", 16), ("Khady", 14), ("Aïssatou", 14),
    ("Ndèye", 14), ("Coumba", 10), ("Astou", 9), ("Bineta", 7), ("Seynabou", 7), ("Adama", 6),
    ("Rokhaya", 7), ("Sokhna", 6), ("Dieynaba", 5), ("Fatoumata", 8), ("Marème", 6), ("Yacine", 5),
    ("Oumy", 5), ("Penda", 4), ("Maimouna", 6), ("Khadidiatou", 5), ("Ndèye Fatou", 4), ("Mame Diarra", 4),
    ("Aby", 3), ("Arame", 3), ("Binta", 3), ("Codou", 2), ("Diarra", 2), ("Djeneba", 2), ("Gnilane", 1),
    ("Hawa", 3), ("Kiné", 2), ("Léna", 1), ("Mbène", 1), ("Ndella", 1), ("Nogaye", 1), ("Ramatoulaye", 3),
    ("Safiétou", 2), ("Salimata", 2), ("Soda", 2), ("Thioro", 1), ("Victorine", 1), ("Yandé", 1),
)  # fmt: skip
"""Women's first names and their relative frequency."""

TRADES: tuple[str, ...] = (
    "Tailleur", "Couturière", "Menuisier", "Mécanicien", "Coiffeuse", "Cordonnier", "Bijoutier", "Forgeron",
    "Maçon", "Teinturière", "Potière", "Soudeur", "Électricien", "Vannière", "Boulanger", "Plombier",
    "Peintre en bâtiment", "Tapissier", "Frigoriste", "Sculpteur sur bois",
)  # fmt: skip
"""Artisans' trades."""

SECTORS: tuple[str, ...] = (
    "Maraîchage", "Pêche artisanale", "Transformation de produits halieutiques", "Bâtiment",
    "Transport urbain", "Commerce de détail", "Restauration", "Arachide", "Riziculture", "Manutention portuaire",
)  # fmt: skip
"""Sectors of precarious workers' employers."""

COMPANIES: tuple[str, ...] = (
    "Société", "Compagnie", "Entreprise", "Industries", "Établissements", "Groupe", "Comptoir", "Manufacture",
)  # fmt: skip
"""First words of salaried members' employers' names."""

ACTIVITIES: tuple[tuple[str, str], ...] = (
    ("sénégalaise de bâtiment", "Bâtiment et travaux publics"),
    ("des huileries du Sine", "Agroalimentaire"),
    ("de transport interurbain", "Transport"),
    ("de distribution alimentaire", "Commerce"),
    ("des textiles de Thiès", "Textile"),
    ("de télécommunications du Cap-Vert", "Télécommunications"),
    ("de services portuaires", "Logistique"),
    ("des conserveries de l'Atlantique", "Pêche industrielle"),
    ("d'imprimerie et d'édition", "Imprimerie"),
    ("de matériaux de construction", "Industrie"),
    ("hôtelière de la Petite-Côte", "Hôtellerie"),
    ("de gardiennage et de sécurité", "Sécurité"),
)
"""The rest of salaried members' employers' names, and their sector."""

LOCALITIES: dict[str, tuple[str, ...]] = {
    "SN-DK": ("Médina", "Grand Yoff", "Parcelles Assainies", "Thiaroye", "Yeumbeul", "Bargny", "Ouakam",
              "HLM", "Sicap Liberté", "Guédiawaye", "Keur Massar", "Malika", "Rufisque Est", "Pikine Est"),
    "SN-TH": ("Thiès Nord", "Mbour", "Saly", "Joal", "Tivaouane", "Mboro", "Khombole", "Pout"),
    "SN-DB": ("Touba", "Mbacké", "Diourbel", "Bambey", "Ndame"),
    "SN-KL": ("Kaolack", "Nioro", "Kahone", "Ndoffane"),
    "SN-SL": ("Saint-Louis", "Richard-Toll", "Dagana", "Podor", "Ross Béthio"),
    "SN-ZG": ("Ziguinchor", "Bignona", "Oussouye", "Diouloulou"),
    "SN-LG": ("Louga", "Kébémer", "Linguère", "Dahra"),
    "SN-TC": ("Tambacounda", "Bakel", "Goudiry", "Koumpentoum"),
    "SN-FK": ("Fatick", "Foundiougne", "Sokone", "Gossas"),
}  # fmt: skip
"""Localities of each region members live in."""

MIGRANT_ORIGINS: tuple[tuple[str, int], ...] = (("GN", 5), ("ML", 4), ("GW", 3), ("MR", 2), ("GM", 2), ("CV", 1))
"""Countries migrant workers living in Senegal come from."""
