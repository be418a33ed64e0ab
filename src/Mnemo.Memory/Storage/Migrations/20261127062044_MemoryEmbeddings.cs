using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mnemo.Memory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class MemoryEmbeddings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "memory_embeddings",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    memory_id = table.Column<string>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    text_vectors = table.Column<byte[]>(type: "BLOB", nullable: false),
                    context_vector = table.Column<byte[]>(type: "BLOB", nullable: true)
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

            migrationBuilder.CreateIndex(
                name: "IX_memory_embeddings_memory_id",
                table: "memory_embeddings",
                column: "memory_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_memory_embeddings_user_id_seq",
                table: "memory_embeddings",
                columns: new[] { "user_id", "seq" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "memory_embeddings");
        }
    }
}
