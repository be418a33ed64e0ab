namespace Mnemo.Server.Mcp;

/// <summary>The MCP <c>instructions</c> every client receives at <c>initialize</c>: when to save and when to search.</summary>
internal static class ServerInstructions
{
    public const string Text = """
        Mnemo is the user's long-term memory, shared across their assistants and apps.

        Search first: before answering anything personal — preferences, plans, people, projects, health, past
        decisions, anything "my" or "we" — call search_memory with the key words of the question, even when
        the user does not mention memory. Prefer what you find there over guesses, and say when a memory is
        old or might be outdated.

        Save what lasts: when the user tells you a durable fact about themselves (preferences, biography,
        relationships, goals, decisions, corrections), call add_memories with short, self-contained,
        third-person sentences ("Is allergic to peanuts."). Put the facts of one conversation in one call.
        Do not save passing small talk, one-off requests, or secrets such as passwords and keys.

        Keep it right: when the user corrects something, update_memory the old memory instead of adding a
        contradicting one; when they ask you to forget something, delete_memories it. Never call
        delete_all_memories unless the user explicitly asks to erase everything.
        """;
}
