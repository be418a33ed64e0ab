using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Mnemo.Memory.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "memories",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false, collation: "C"),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    text = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    app = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C"),
                    occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false),
                    batch_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false, collation: "C"),
                    batch_index = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_access_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    app = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C"),
                    action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    memory_ids = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_access_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_changes",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    memory_id = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_changes", x => x.seq);
                });

            migrationBuilder.CreateTable(
                name: "memory_embeddings",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    memory_id = table.Column<string>(type: "character varying(36)", nullable: false, collation: "C"),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    text_vectors = table.Column<byte[]>(type: "bytea", nullable: false),
                    context_vector = table.Column<byte[]>(type: "bytea", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_embeddings", x => x.seq);
                    table.ForeignKey(
                        name: "FK_memory_embeddings_memories_memory_id",
                        column: x => x.memory_id,
                        principalTable: "memories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "memory_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    memory_id = table.Column<string>(type: "character varying(36)", nullable: false, collation: "C"),
                    old_text = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    old_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    new_text = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    new_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    app = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C"),
                    at = table.Column<long>(type: "bigint", nullable: false)
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
                    memory_id = table.Column<string>(type: "character varying(36)", nullable: false, collation: "C"),
                    tag = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C")
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
                name: "IX_memory_changes_user_id_seq",
                table: "memory_changes",
                columns: new[] { "user_id", "seq" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_embeddings_memory_id",
                table: "memory_embeddings",
                column: "memory_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_memory_embeddings_user_id_seq",
                table: "memory_embeddings",
                columns: new[] { "user_id", "seq" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_history_memory_id_at",
                table: "memory_history",
                columns: new[] { "memory_id", "at" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_tags_tag",
                table: "memory_tags",
                column: "tag");

            // The feed's commit-safe position (PostgresChangeFeed): outside the EF model, so added by hand.
            migrationBuilder.Sql(PostgresChangeFeed.AddTransactionIdSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "memory_access_log");

            migrationBuilder.DropTable(
                name: "memory_changes");

            migrationBuilder.DropTable(
                name: "memory_embeddings");

            migrationBuilder.DropTable(
                name: "memory_history");

            migrationBuilder.DropTable(
                name: "memory_tags");

            migrationBuilder.DropTable(
                name: "memories");
        }
    }
}
