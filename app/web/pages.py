"""Every domain's pages, in the order of the site's menu."""

from tenants.identity.pages import PAGES as IDENTITY_PAGES
from tenants.web import PageSet

PAGE_SETS: tuple[PageSet, ...] = (IDENTITY_PAGES,)
