"""Getting tickets to guests: printable PDFs (and, as they come, e-mail and wallets).

HTTP-free: the services gather what a ticket shows and these modules render it."""
