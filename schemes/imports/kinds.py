"""The importer of each kind of file."""

from schemes.imports import members
from schemes.imports.service import Importer
from schemes.imports.tables import ImportKind

IMPORTERS: dict[ImportKind, Importer] = {ImportKind.MEMBERS: members.IMPORTER}
