"""Contributions and payments: calls per period and payer, money received, how it settles calls, receipts."""
