"""The knowledge as the staff console edits it: revisions in the database (`bot.store.revisions`),
the YAML folder as their import/export form (`folder`), what the runtime loads (`source`), saving
with the whole check and the evaluation before and after (`saving`), one intent as a form (`form`)."""
