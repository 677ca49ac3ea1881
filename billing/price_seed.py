"""Seed values for the default price book.

Where the figures come from
---------------------------
* LLM and transcription prices (providers ``groq`` and ``anthropic``):
  ``shared/reference/llm-providers.md`` section 1.4 "CURRENT prices from the price map",
  taken from the LiteLLM community price map ``model_prices_and_context_window.json`` at commit
  00035b69f (converted to USD per 1M tokens; transcription in USD per second). The map is dated by
  commit, not by vendor; the reference document states its facts as of August 2026, so these rows
  are ``valid_from`` 2026-08-01.
* WhatsApp (Meta Cloud API) per-message prices: ``shared/reference/platforms.md`` section A6
  "Templates + pricing" (Meta docs dated May 2026 plus third-party reproductions of Meta's rate
  card). Each row carries the date its source gives it (Jul 2025 card, Apr 2026 card, free service
  messages since 2024-11-01); the one undated figure (US marketing, trade press) uses 2026-08-12,
  the latest date the reference document states for its facts.

The reference gives no figures for Twilio SMS, Twilio WhatsApp fees, voice calls, Telegram or
email, so there are no rows for them. Where the reference gives a price that has no ``kind`` here
(Anthropic 1-hour cache writes, >200k-token prompt tiers, Opus multipliers), it is kept in the
row's ``note``.

These are seed values only: the price book in the admin is the source of truth at run time, and
these figures must be checked against the vendors' pricing pages (Meta's rate card CSV, Groq and
Anthropic pricing pages) before release.

Row fields: provider, kind, sku, unit, per_quantity (quantity the price is quoted for), price
(decimal string), currency, valid_from (ISO date), note (source and caveats).
"""

# fmt: off
PRICE_SEED: tuple[dict[str, str | int], ...] = (
    {"provider": "groq", "kind": "llm_input_token", "sku": "llama-3.1-8b-instant", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.05", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/llama-3.1-8b-instant"},
    {"provider": "groq", "kind": "llm_output_token", "sku": "llama-3.1-8b-instant", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.08", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/llama-3.1-8b-instant"},
    {"provider": "groq", "kind": "llm_input_token",
     "sku": "llama-3.3-70b-versatile", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.59", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/llama-3.3-70b-versatile"},
    {"provider": "groq", "kind": "llm_output_token",
     "sku": "llama-3.3-70b-versatile", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.79", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/llama-3.3-70b-versatile"},
    {"provider": "groq", "kind": "llm_input_token",
     "sku": "meta-llama/llama-4-scout-17b-16e-instruct", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.11", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, groq/meta-llama/llama-4-scout-17b-16e-instruct; vision"
     )},
    {"provider": "groq", "kind": "llm_output_token",
     "sku": "meta-llama/llama-4-scout-17b-16e-instruct", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.34", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, groq/meta-llama/llama-4-scout-17b-16e-instruct; vision"
     )},
    {"provider": "groq", "kind": "llm_input_token",
     "sku": "meta-llama/llama-4-maverick-17b-128e-instruct", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.20", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, groq/meta-llama/llama-4-maverick-17b-128e-instruct; vision"
     )},
    {"provider": "groq", "kind": "llm_output_token",
     "sku": "meta-llama/llama-4-maverick-17b-128e-instruct", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.60", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, groq/meta-llama/llama-4-maverick-17b-128e-instruct; vision"
     )},
    {"provider": "groq", "kind": "llm_input_token", "sku": "openai/gpt-oss-20b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.075", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-20b; reasoning model"},
    {"provider": "groq", "kind": "llm_output_token", "sku": "openai/gpt-oss-20b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-20b; reasoning model"},
    {"provider": "groq", "kind": "llm_cache_read_token",
     "sku": "openai/gpt-oss-20b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.0375", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-20b; reasoning model"},
    {"provider": "groq", "kind": "llm_input_token", "sku": "openai/gpt-oss-120b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.15", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-120b; reasoning model"},
    {"provider": "groq", "kind": "llm_output_token", "sku": "openai/gpt-oss-120b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.60", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-120b; reasoning model"},
    {"provider": "groq", "kind": "llm_cache_read_token",
     "sku": "openai/gpt-oss-120b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.075", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-120b; reasoning model"},
    {"provider": "groq", "kind": "llm_input_token",
     "sku": "openai/gpt-oss-safeguard-20b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.075", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-safeguard-20b"},
    {"provider": "groq", "kind": "llm_output_token",
     "sku": "openai/gpt-oss-safeguard-20b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/openai/gpt-oss-safeguard-20b"},
    {"provider": "groq", "kind": "llm_cache_read_token",
     "sku": "openai/gpt-oss-safeguard-20b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.037", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, groq/openai/gpt-oss-safeguard-20b; 0.037 as given "
         "(openai/gpt-oss-20b has 0.0375)"
     )},
    {"provider": "groq", "kind": "llm_input_token", "sku": "qwen/qwen3-32b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.29", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/qwen/qwen3-32b"},
    {"provider": "groq", "kind": "llm_output_token", "sku": "qwen/qwen3-32b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.59", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/qwen/qwen3-32b"},
    {"provider": "groq", "kind": "llm_input_token",
     "sku": "moonshotai/kimi-k2-instruct-0905", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/moonshotai/kimi-k2-instruct-0905"},
    {"provider": "groq", "kind": "llm_output_token",
     "sku": "moonshotai/kimi-k2-instruct-0905", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/moonshotai/kimi-k2-instruct-0905"},
    {"provider": "groq", "kind": "llm_cache_read_token",
     "sku": "moonshotai/kimi-k2-instruct-0905", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/moonshotai/kimi-k2-instruct-0905"},
    {"provider": "groq", "kind": "llm_input_token",
     "sku": "meta-llama/llama-guard-4-12b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.20", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/meta-llama/llama-guard-4-12b"},
    {"provider": "groq", "kind": "llm_output_token",
     "sku": "meta-llama/llama-guard-4-12b", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.20", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/meta-llama/llama-guard-4-12b"},
    {"provider": "groq", "kind": "llm_input_token", "sku": "gemma-7b-it", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.05", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/gemma-7b-it; legacy entry"},
    {"provider": "groq", "kind": "llm_output_token", "sku": "gemma-7b-it", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.08", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/gemma-7b-it; legacy entry"},
    {"provider": "groq", "kind": "transcription_second",
     "sku": "whisper-large-v3", "unit": "second",
     "per_quantity": 1, "price": "0.00003083", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, groq/whisper-large-v3 input_cost_per_second 3.083e-05"},
    {"provider": "groq", "kind": "transcription_second",
     "sku": "whisper-large-v3-turbo", "unit": "second",
     "per_quantity": 1, "price": "0.00001111", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, groq/whisper-large-v3-turbo input_cost_per_second "
         "1.111e-05"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-haiku-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-haiku-4-5; prompt_cache_min_tokens 4096"},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-haiku-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-haiku-4-5; prompt_cache_min_tokens 4096"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-haiku-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.10", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-haiku-4-5; prompt_cache_min_tokens 4096"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-haiku-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-haiku-4-5; prompt_cache_min_tokens 4096; 5-minute "
         "TTL write; 1-hour TTL write 2.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-haiku-4-5-20251001", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-haiku-4-5-20251001 (= claude-haiku-4-5); "
         "prompt_cache_min_tokens 4096"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-haiku-4-5-20251001", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-haiku-4-5-20251001 (= claude-haiku-4-5); "
         "prompt_cache_min_tokens 4096"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-haiku-4-5-20251001", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.10", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-haiku-4-5-20251001 (= claude-haiku-4-5); "
         "prompt_cache_min_tokens 4096"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-haiku-4-5-20251001", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-haiku-4-5-20251001 (= claude-haiku-4-5); "
         "prompt_cache_min_tokens 4096; 5-minute TTL write; 1-hour TTL write 2.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-3-5-haiku-20241022", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.80", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-5-haiku-20241022; Bedrock price "
         "(bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0): no direct-API entry in the map, "
         "retired model"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-3-5-haiku-20241022", "unit": "token",
     "per_quantity": 1_000_000, "price": "4.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-5-haiku-20241022; Bedrock price "
         "(bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0): no direct-API entry in the map, "
         "retired model"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-3-5-haiku-20241022", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.08", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-5-haiku-20241022; Bedrock price "
         "(bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0): no direct-API entry in the map, "
         "retired model"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-3-5-haiku-20241022", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-5-haiku-20241022; Bedrock price "
         "(bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0): no direct-API entry in the map, "
         "retired model; 5-minute TTL write; no 1-hour price given"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-3-haiku-20240307", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-3-haiku-20240307"},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-3-haiku-20240307", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-3-haiku-20240307"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-3-haiku-20240307", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.03", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-3-haiku-20240307"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-3-haiku-20240307", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-haiku-20240307; 5-minute TTL write; no 1-hour "
         "price given"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-sonnet-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5; >200k-token prompts: 6.00 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-sonnet-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5; >200k-token prompts: 22.50 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-sonnet-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5; >200k-token prompts: 0.60 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-sonnet-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5; 5-minute TTL write; 1-hour TTL write "
         "6.00/1M (not a row); >200k-token prompts: 7.50 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-sonnet-4-5-20250929", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5-20250929 (= claude-sonnet-4-5); "
         ">200k-token prompts: 6.00 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-sonnet-4-5-20250929", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5-20250929 (= claude-sonnet-4-5); "
         ">200k-token prompts: 22.50 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-sonnet-4-5-20250929", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5-20250929 (= claude-sonnet-4-5); "
         ">200k-token prompts: 0.60 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-sonnet-4-5-20250929", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-5-20250929 (= claude-sonnet-4-5); 5-minute"
         " TTL write; 1-hour TTL write 6.00/1M (not a row); >200k-token prompts: 7.50 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-sonnet-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-4-6; 1M context"},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-sonnet-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-4-6; 1M context"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-sonnet-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-4-6; 1M context"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-sonnet-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-6; 1M context; 5-minute TTL write; 1-hour "
         "TTL write 6.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-sonnet-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-20250514; deprecation_date 2026-05-14; "
         ">200k-token prompts: 6.00 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-sonnet-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-20250514; deprecation_date 2026-05-14; "
         ">200k-token prompts: 22.50 (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-sonnet-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-4-20250514; deprecation_date 2026-05-14"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-sonnet-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-4-20250514; deprecation_date 2026-05-14; "
         "5-minute TTL write; 1-hour TTL write 6.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-3-7-sonnet-20250219", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-7-sonnet-20250219; deprecation_date 2026-02-19"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-3-7-sonnet-20250219", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-7-sonnet-20250219; deprecation_date 2026-02-19"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-3-7-sonnet-20250219", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.30", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-7-sonnet-20250219; deprecation_date 2026-02-19"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-3-7-sonnet-20250219", "unit": "token",
     "per_quantity": 1_000_000, "price": "3.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-3-7-sonnet-20250219; deprecation_date 2026-02-19; "
         "5-minute TTL write; 1-hour TTL write 6.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-sonnet-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "2.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-5; newest sonnet key in the map"},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-sonnet-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "10.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-5; newest sonnet key in the map"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-sonnet-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.20", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-sonnet-5; newest sonnet key in the map"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-sonnet-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "2.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-sonnet-5; newest sonnet key in the map; 5-minute "
         "TTL write; 1-hour TTL write 4.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-opus-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-5"},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-opus-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "25.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-5"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-5"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "6.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-5; 5-minute TTL write; 1-hour TTL write "
         "10.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-opus-4-5-20251101", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-5-20251101 (= claude-opus-4-5)"},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-opus-4-5-20251101", "unit": "token",
     "per_quantity": 1_000_000, "price": "25.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-5-20251101 (= claude-opus-4-5)"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-5-20251101", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-5-20251101 (= claude-opus-4-5)"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-5-20251101", "unit": "token",
     "per_quantity": 1_000_000, "price": "6.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-5-20251101 (= claude-opus-4-5); 5-minute TTL"
         " write; 1-hour TTL write 10.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-opus-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-6; provider_specific_entry multipliers: us "
         "x1.1, fast x6.0"
     )},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-opus-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "25.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-6; provider_specific_entry multipliers: us "
         "x1.1, fast x6.0"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-6; provider_specific_entry multipliers: us "
         "x1.1, fast x6.0"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-6", "unit": "token",
     "per_quantity": 1_000_000, "price": "6.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-6; provider_specific_entry multipliers: us "
         "x1.1, fast x6.0; 5-minute TTL write; 1-hour TTL write 10.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-opus-4-7", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-7 (= claude-opus-4-6); "
         "provider_specific_entry multipliers: us x1.1, fast x6.0"
     )},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-opus-4-7", "unit": "token",
     "per_quantity": 1_000_000, "price": "25.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-7 (= claude-opus-4-6); "
         "provider_specific_entry multipliers: us x1.1, fast x6.0"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-7", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-7 (= claude-opus-4-6); "
         "provider_specific_entry multipliers: us x1.1, fast x6.0"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-7", "unit": "token",
     "per_quantity": 1_000_000, "price": "6.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-7 (= claude-opus-4-6); "
         "provider_specific_entry multipliers: us x1.1, fast x6.0; 5-minute TTL write; 1-hour TTL "
         "write 10.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-opus-4-8", "unit": "token",
     "per_quantity": 1_000_000, "price": "5.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-8; provider_specific_entry multipliers: us "
         "x1.1, fast x2.0 (reference: 'fast x6.0 (4-8: x2.0)')"
     )},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-opus-4-8", "unit": "token",
     "per_quantity": 1_000_000, "price": "25.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-8; provider_specific_entry multipliers: us "
         "x1.1, fast x2.0 (reference: 'fast x6.0 (4-8: x2.0)')"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-8", "unit": "token",
     "per_quantity": 1_000_000, "price": "0.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-8; provider_specific_entry multipliers: us "
         "x1.1, fast x2.0 (reference: 'fast x6.0 (4-8: x2.0)')"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-8", "unit": "token",
     "per_quantity": 1_000_000, "price": "6.25", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-8; provider_specific_entry multipliers: us "
         "x1.1, fast x2.0 (reference: 'fast x6.0 (4-8: x2.0)'); 5-minute TTL write; 1-hour TTL "
         "write 10.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-opus-4-1", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1; deprecation 2026-08-05 on the dated id"
     )},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-opus-4-1", "unit": "token",
     "per_quantity": 1_000_000, "price": "75.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1; deprecation 2026-08-05 on the dated id"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-1", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1; deprecation 2026-08-05 on the dated id"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-1", "unit": "token",
     "per_quantity": 1_000_000, "price": "18.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1; deprecation 2026-08-05 on the dated id; "
         "5-minute TTL write; 1-hour TTL write 30.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-opus-4-1-20250805", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1-20250805 (= claude-opus-4-1); deprecation "
         "2026-08-05 on the dated id"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-opus-4-1-20250805", "unit": "token",
     "per_quantity": 1_000_000, "price": "75.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1-20250805 (= claude-opus-4-1); deprecation "
         "2026-08-05 on the dated id"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-1-20250805", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1-20250805 (= claude-opus-4-1); deprecation "
         "2026-08-05 on the dated id"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-1-20250805", "unit": "token",
     "per_quantity": 1_000_000, "price": "18.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-1-20250805 (= claude-opus-4-1); deprecation "
         "2026-08-05 on the dated id; 5-minute TTL write; 1-hour TTL write 30.00/1M (not a row)"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-opus-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-20250514; deprecation_date 2026-05-14"},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-opus-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "75.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-20250514; deprecation_date 2026-05-14"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-opus-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-opus-4-20250514; deprecation_date 2026-05-14"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-opus-4-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "18.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-opus-4-20250514; deprecation_date 2026-05-14; "
         "5-minute TTL write; no 1-hour price given"
     )},
    {"provider": "anthropic", "kind": "llm_input_token",
     "sku": "claude-4-opus-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "15.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-4-opus-20250514 (= claude-opus-4-20250514); "
         "deprecation_date 2026-05-14"
     )},
    {"provider": "anthropic", "kind": "llm_output_token",
     "sku": "claude-4-opus-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "75.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-4-opus-20250514 (= claude-opus-4-20250514); "
         "deprecation_date 2026-05-14"
     )},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-4-opus-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-4-opus-20250514 (= claude-opus-4-20250514); "
         "deprecation_date 2026-05-14"
     )},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-4-opus-20250514", "unit": "token",
     "per_quantity": 1_000_000, "price": "18.75", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-4-opus-20250514 (= claude-opus-4-20250514); "
         "deprecation_date 2026-05-14; 5-minute TTL write; no 1-hour price given"
     )},
    {"provider": "anthropic", "kind": "llm_input_token", "sku": "claude-fable-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "10.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-fable-5; unusual name, verify before use"},
    {"provider": "anthropic", "kind": "llm_output_token", "sku": "claude-fable-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "50.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-fable-5; unusual name, verify before use"},
    {"provider": "anthropic", "kind": "llm_cache_read_token",
     "sku": "claude-fable-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "1.00", "currency": "USD", "valid_from": "2026-08-01",
     "note": "LiteLLM price map @00035b69f, claude-fable-5; unusual name, verify before use"},
    {"provider": "anthropic", "kind": "llm_cache_write_token",
     "sku": "claude-fable-5", "unit": "token",
     "per_quantity": 1_000_000, "price": "12.50", "currency": "USD", "valid_from": "2026-08-01",
     "note": (
         "LiteLLM price map @00035b69f, claude-fable-5; unusual name, verify before use; 5-minute "
         "TTL write; 1-hour TTL write 20.00/1M (not a row)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "service:*", "unit": "message",
     "per_quantity": 1, "price": "0", "currency": "USD", "valid_from": "2024-11-01",
     "note": (
         "Meta PMP: non-template (service) messages inside the 24h customer service window free "
         "since 2024-11-01; announced (BSPs, Meta 2026-07-01): billable at the market's utility "
         "rate from 2026-10-01, rates not given"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "marketing:AR", "unit": "message",
     "per_quantity": 1, "price": "0.0618", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Argentina; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "utility:AR", "unit": "message",
     "per_quantity": 1, "price": "0.0289", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Argentina; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV); utility templates inside an open CSW free since 2025-07-01"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "authentication:AR", "unit": "message",
     "per_quantity": 1, "price": "0.0289", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Argentina; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV) ('utility & auth' share one figure)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "marketing:AU", "unit": "message",
     "per_quantity": 1, "price": "0.0732", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Australia; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "utility:AU", "unit": "message",
     "per_quantity": 1, "price": "0.0113", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Australia; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV); utility templates inside an open CSW free since 2025-07-01"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "authentication:AU", "unit": "message",
     "per_quantity": 1, "price": "0.0113", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Australia; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV) ('utility & auth' share one figure)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "marketing:AT", "unit": "message",
     "per_quantity": 1, "price": "0.0592", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Austria; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "utility:AT", "unit": "message",
     "per_quantity": 1, "price": "0.0171", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Austria; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV); utility templates inside an open CSW free since 2025-07-01"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "authentication:AT", "unit": "message",
     "per_quantity": 1, "price": "0.0171", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Austria; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV) ('utility & auth' share one figure)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "marketing:DZ", "unit": "message",
     "per_quantity": 1, "price": "0.0225", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Algeria; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "utility:DZ", "unit": "message",
     "per_quantity": 1, "price": "0.0040", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Algeria; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV); utility templates inside an open CSW free since 2025-07-01"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "authentication:DZ", "unit": "message",
     "per_quantity": 1, "price": "0.0040", "currency": "USD", "valid_from": "2025-07-01",
     "note": (
         "Algeria; sent.dm reproduction of Meta's card, effective Jul 2025 (third-party; check "
         "Meta's CSV) ('utility & auth' share one figure)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "utility:CO", "unit": "message",
     "per_quantity": 1, "price": "0.0008", "currency": "USD", "valid_from": "2026-04-01",
     "note": (
         "Colombia; lowest rate on the card; formbeep, Apr 2026 card (third-party; check Meta's "
         "CSV); utility inside an open CSW free since 2025-07-01"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "marketing:NL", "unit": "message",
     "per_quantity": 1, "price": "0.1597", "currency": "USD", "valid_from": "2026-04-01",
     "note": (
         "Netherlands; highest rate on the card; formbeep, Apr 2026 card (third-party; check "
         "Meta's CSV)"
     )},
    {"provider": "whatsapp", "kind": "message", "sku": "marketing:US", "unit": "message",
     "per_quantity": 1, "price": "0.025", "currency": "USD", "valid_from": "2026-08-12",
     "note": (
         "approximate ('~0.025', trade press), undated; marketing templates to US (+1) numbers "
         "blocked since 2025-04-01"
     )},
)
# fmt: on
