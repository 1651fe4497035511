"""The public shop: events on sale, seat map, checkout with a countdown, the waiting
room and the waitlist (``web``)."""
