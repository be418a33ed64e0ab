namespace Mnemo.Memory;

/// <summary>Settings of the memory module, bound from <see cref="SectionName"/>. Defaults live here, in code.</summary>
public sealed class MemoryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Mnemo:Memory";

    /// <summary>
    /// How long a database command waits for another process or thread holding the write lock before failing
    /// (SQLite <c>busy_timeout</c>). Several processes (server and CLI) may open the same file.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A new memory whose cosine similarity to an existing memory of the same user reaches this value updates that
    /// memory instead of adding a copy (the add result says <c>updated</c>). 0–1; above 1 turns de-duplication off.
    /// Without a loaded model only an identical text (ignoring case and spacing) counts as a duplicate.
    /// </summary>
    public double DeduplicationThreshold { get; set; } = 0.97;

    public MemoryEmbeddingOptions Embeddings { get; set; } = new();

    public MemorySearchOptions Search { get; set; } = new();

    public MemoryAccessLogOptions AccessLog { get; set; } = new();
}

/// <summary>How the access-log rows of reads are written (<c>Mnemo:Memory:AccessLog</c>).</summary>
public sealed class MemoryAccessLogOptions
{
    /// <summary>
    /// Reads (search, list, get) queue their access-log row, and one writer commits what is queued at most this often
    /// (10–5000 ms), in one transaction: a read no longer waits for a commit of its own, and concurrent reads no longer
    /// queue for the database's write lock. A row reaches the table at most this long after its read (plus the commit);
    /// a crash loses at most that much. Writes (add, update, delete) still commit their row with the write.
    /// </summary>
    public int FlushMilliseconds { get; set; } = 100;
}

/// <summary>Which embedding model computes vectors (<c>Mnemo:Memory:Embeddings</c>).</summary>
public sealed class MemoryEmbeddingOptions
{
    /// <summary>
    /// <c>Local</c> (default: MiniLM inside the package, English only, no network), <c>OpenAI</c> (any OpenAI-compatible
    /// embeddings endpoint: set <see cref="Endpoint"/> and <see cref="Model"/>; memory texts are sent there) or
    /// <c>None</c> (keyword search only).
    /// </summary>
    public string Provider { get; set; } = "Local";

    /// <summary>OpenAI provider: the API base URL, e.g. <c>https://api.openai.com/v1</c> or <c>http://localhost:11434/v1</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>OpenAI provider: the embedding model, e.g. <c>text-embedding-3-small</c>.</summary>
    public string? Model { get; set; }

    /// <summary>OpenAI provider: the API key (empty for local servers that need none). Keep it in an environment variable.</summary>
    public string? ApiKey { get; set; }

    /// <summary>OpenAI provider: optional vector size for models that can shorten their output.</summary>
    public int? Dimensions { get; set; }
}

/// <summary>Ranking settings (<c>Mnemo:Memory:Search</c>); the defaults are the ones measured best on LoCoMo (bench/).</summary>
public sealed class MemorySearchOptions
{
    /// <summary>Weight of the semantic score in the fused score, 0–1 (the keyword score gets the rest).</summary>
    public double DenseWeight { get; set; } = 0.3;

    /// <summary>How many candidates each ranker contributes before fusion.</summary>
    public int CandidateCount { get; set; } = 100;

    /// <summary>Memories written in the same add call this many positions before and after are indexed as context of a memory.</summary>
    public int NeighbourWindow { get; set; } = 2;

    /// <summary>BM25 weight of the neighbours' words relative to the memory's own words (0–1).</summary>
    public double KeywordContextWeight { get; set; } = 0.5;

    /// <summary>
    /// Neighbours read together with the text for a second, context vector (0: none). Off by default: on LoCoMo it
    /// adds under one point of recall and triples the model's work per memory (ingest throughput).
    /// </summary>
    public int DenseNeighbourWindow { get; set; }

    /// <summary>Share of the context vector in the semantic score (0–1).</summary>
    public double DenseContextWeight { get; set; } = 0.3;

    /// <summary>Index the day a memory happened ("8 May 2023") as keyword context, so dates in questions match (+1 point on LoCoMo).</summary>
    public bool KeywordDates { get; set; } = true;

    /// <summary>
    /// At start-up, load the search indexes of this many most recently active users in the background, so their first
    /// search after a restart does not wait for the load (~1–3 s for 100,000 memories). 0: each user's first search loads them.
    /// </summary>
    public int WarmUpUsers { get; set; } = 20;

    /// <summary>
    /// A user's in-memory indexes are freed after this long without a search (checked every 5 minutes) and rebuilt by
    /// their next one; bounds memory on servers with many occasional users. Zero: kept until the process stops.
    /// </summary>
    public TimeSpan IndexIdleLifetime { get; set; } = TimeSpan.FromHours(2);
}
