"""Online payments through a provider (Wave, Stripe): the tenant's provider
accounts, the checkouts members start, and the provider's events that settle them."""
