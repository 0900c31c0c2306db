"""Currencies Socle keeps accounts in, with their ISO 4217 minor units.

Amounts are integers in the minor unit: XOF and XAF have none, so 1 500 XOF is
stored as 1500.
"""

MINOR_UNITS: dict[str, int] = {
    "XOF": 0,  # franc CFA BCEAO (UEMOA)
    "XAF": 0,  # franc CFA BEAC (CEMAC)
    "GNF": 0,  # franc guinéen
    "KMF": 0,  # franc comorien
    "DJF": 0,  # franc djiboutien
    "RWF": 0,  # franc rwandais
    "BIF": 0,  # franc burundais
    "CDF": 2,  # franc congolais
    "MGA": 2,  # ariary
    "MAD": 2,  # dirham marocain
    "TND": 3,  # dinar tunisien
    "DZD": 2,  # dinar algérien
    "MRU": 2,  # ouguiya
    "HTG": 2,  # gourde
    "EUR": 2,
    "USD": 2,
}
