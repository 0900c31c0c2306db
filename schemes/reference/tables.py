"""Tables of reference data: administrative divisions below the regions."""

from piccolo.columns import Varchar
from piccolo.table import Table


class AdministrativeDivision(Table, tablename="administrative_divisions"):
    """A division below a country's regions (a department, an arrondissement,
    a commune), with the code of the division it belongs to. Platform data:
    every tenant reads it, only an operator loads it."""

    code = Varchar(length=16, primary_key=True)
    """Stable code: the region's ISO 3166-2 code and a number (SN-DK-01)."""
    country = Varchar(length=2)
    parent_code = Varchar(length=16)
    """The ISO 3166-2 code of the region, or the code of the division above."""
    level = Varchar(length=16)
    """department, arrondissement or commune."""
    name = Varchar(length=200)
    """Official French name."""
