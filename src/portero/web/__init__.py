"""What the player's browser sees: link opening, pages, and the play-session API."""
