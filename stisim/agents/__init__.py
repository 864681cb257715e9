"""The agent-based model of the national innovation system (Mesa).

* :mod:`stisim.agents.model` — :class:`InnovationSystem`, the Mesa model (staged activation);
* one module per agent type: :mod:`~stisim.agents.firms` (struct-of-arrays population with
  vectorised rules), :mod:`~stisim.agents.institutes`, :mod:`~stisim.agents.ministries`,
  :mod:`~stisim.agents.local_governments`, :mod:`~stisim.agents.partners`;
* :mod:`~stisim.agents.policy` — budgets per instrument (the input a roadmap drives);
* :mod:`~stisim.agents.registry` — extension registry (agent types, firm rules);
* :mod:`~stisim.agents.simulate` — :func:`simulate_agents`, called by the pipeline.

Documentation in the ODD protocol: docs/model.md.
"""
