"""Personal data (152-ФЗ): consents, parents' applications, disclosures (PD-*)."""
