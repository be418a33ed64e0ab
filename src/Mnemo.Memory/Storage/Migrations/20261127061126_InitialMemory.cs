using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mnemo.Memory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialMemory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "memories",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    app = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    batch_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    batch_index = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_access_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    app = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    memory_ids = table.Column<string>(type: "TEXT", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_access_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    memory_id = table.Column<string>(type: "TEXT", nullable: false),
                    old_text = table.Column<string>(type: "TEXT", nullable: true),
                    old_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    new_text = table.Column<string>(type: "TEXT", nullable: true),
                    new_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    app = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_history", x => x.id);
                    table.ForeignKey(
                        name: "FK_memory_history_memories_memory_id",
                        column: x => x.memory_id,
                        principalTable: "memories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "memory_tags",
                columns: table => new
                {
                    memory_id = table.Column<string>(type: "TEXT", nullable: false),
                    tag = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_tags", x => new { x.memory_id, x.tag });
                    table.ForeignKey(
                        name: "FK_memory_tags_memories_memory_id",
                        column: x => x.memory_id,
                        principalTable: "memories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_memories_batch_id",
                table: "memories",
                column: "batch_id");

            migrationBuilder.CreateIndex(
                name: "IX_memories_user_id_created_at",
                table: "memories",
                columns: new[] { "user_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_memories_user_id_occurred_at",
                table: "memories",
                columns: new[] { "user_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_access_log_user_id_at",
                table: "memory_access_log",
                columns: new[] { "user_id", "at" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_history_memory_id_at",
                table: "memory_history",
                columns: new[] { "memory_id", "at" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_tags_tag",
                table: "memory_tags",
                column: "tag");

            // Keyword index (SQLite only; PostgreSQL gets its own migrations and full-text index).
            // memory_fts: porter-stemmed BM25 index; user_key scopes every MATCH to one user.
            // memory_fts_rowids: memory id -> FTS rowid, so re-indexing and deletes never scan the table.
            if (ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite")
            {
                migrationBuilder.Sql("""
                    CREATE VIRTUAL TABLE memory_fts USING fts5(
                        user_key, text, context, memory_id UNINDEXED,
                        tokenize = 'porter unicode61 remove_diacritics 2');
                    """);
                migrationBuilder.Sql("CREATE TABLE memory_fts_rowids (memory_id TEXT NOT NULL PRIMARY KEY, fts_rowid INTEGER NOT NULL UNIQUE);");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            if (ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite")
            {
                migrationBuilder.Sql("DROP TABLE memory_fts_rowids;");
                migrationBuilder.Sql("DROP TABLE memory_fts;");
            }

            migrationBuilder.DropTable(
                name: "memory_access_log");

            migrationBuilder.DropTable(
                name: "memory_history");

            migrationBuilder.DropTable(
                name: "memory_tags");

            migrationBuilder.DropTable(
                name: "memories");
        }
    }
}
