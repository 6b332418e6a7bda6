using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Ingestion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "incident_geocodes",
                columns: table => new
                {
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    OriginalLatitude = table.Column<double>(type: "double precision", nullable: false),
                    OriginalLongitude = table.Column<double>(type: "double precision", nullable: false),
                    OriginalPrecisionM = table.Column<double>(type: "double precision", nullable: false),
                    RefinedLatitude = table.Column<double>(type: "double precision", nullable: true),
                    RefinedLongitude = table.Column<double>(type: "double precision", nullable: true),
                    RefinedPrecisionM = table.Column<double>(type: "double precision", nullable: true),
                    Query = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    MatchedName = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    AttemptedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incident_geocodes", x => x.IncidentId);
                    table.ForeignKey(
                        name: "FK_incident_geocodes_incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ingestion_runs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Succeeded = table.Column<bool>(type: "boolean", nullable: false),
                    Fetched = table.Column<int>(type: "integer", nullable: false),
                    New = table.Column<int>(type: "integer", nullable: false),
                    Updated = table.Column<int>(type: "integer", nullable: false),
                    Unchanged = table.Column<int>(type: "integer", nullable: false),
                    Rejected = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    HttpStatus = table.Column<int>(type: "integer", nullable: true),
                    NewestEventAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LagSeconds = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingestion_runs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ingestion_runs_Source_StartedAt",
                table: "ingestion_runs",
                columns: new[] { "Source", "StartedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "incident_geocodes");

            migrationBuilder.DropTable(
                name: "ingestion_runs");
        }
    }
}
