using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mnemo.Memory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class KeywordChangeFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "memory_changes",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    memory_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_changes", x => x.seq);
                });

            migrationBuilder.CreateIndex(
                name: "IX_memory_changes_user_id_seq",
                table: "memory_changes",
                columns: new[] { "user_id", "seq" });

            // The keyword index moved into memory (Search/Keyword), fed by memory_changes: the FTS5 tables go.
            if (ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite")
            {
                migrationBuilder.Sql("DROP TABLE IF EXISTS memory_fts_rowids;");
                migrationBuilder.Sql("DROP TABLE IF EXISTS memory_fts;");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "memory_changes");

            // Recreated empty: the older version's keyword search finds nothing until `mnemo reindex` of that version.
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
    }
}
