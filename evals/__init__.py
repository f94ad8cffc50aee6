"""Eval harness: `python -m evals` scores answers, citations, retrieval and extraction on a question set.

Modules: `numbers` (reading and comparing figures), `checks` (per-kind scoring, retrieval ranks, extraction
precision/recall), `baseline` (llama-index starter-defaults RAG), `report` (tables), `__main__` (the run).
"""
