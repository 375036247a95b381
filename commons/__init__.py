"""What the partners share: partner accounts' pages, contributions and the budget, the equipment
bank, the common base of each site and its faults, half-day room requests."""
