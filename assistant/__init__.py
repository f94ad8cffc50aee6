"""Query side: understand a question, gather evidence, answer with verified citations."""
