"""Answer composition: from a question's plan and its evidence to a cited answer."""
