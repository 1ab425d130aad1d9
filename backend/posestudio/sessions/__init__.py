"""Sessions: record what is streamed, keep it, replay and export it (docs/sessions.md)."""
