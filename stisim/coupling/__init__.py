"""Coupling of the optimiser and the agent model: allocations executed by the agents,
ABM-estimated response curves, the closed loop, adaptive roadmaps and strategy comparison.

``stisim.agents`` and ``stisim.optimize`` never import each other; they meet only here.
"""
