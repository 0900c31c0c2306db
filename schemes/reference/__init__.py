"""Reference data every tenant reads: a country's administrative divisions."""
