"""``make bench``: Socle measured beside a raw baseline, PostGraphile and COPY on a country-sized data set."""
