using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReportWitnesses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CountsAsWitness",
                table: "citizen_reports",
                type: "INTEGER",
                nullable: false,
                defaultValue: true); // stored reports were each counted as a reporter; PublicCellsFix recounts them

            migrationBuilder.AddColumn<string>(
                name: "NetworkHash",
                table: "citizen_reports",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "data_fixes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AppliedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RowsChanged = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_fixes", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_fixes");

            migrationBuilder.DropColumn(
                name: "CountsAsWitness",
                table: "citizen_reports");

            migrationBuilder.DropColumn(
                name: "NetworkHash",
                table: "citizen_reports");
        }
    }
}
