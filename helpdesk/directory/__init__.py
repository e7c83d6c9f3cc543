"""Who and what a ticket can concern: regions, organisations, enterprises, the catalogue."""
