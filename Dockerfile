# Multi-stage build: compile with the JDK, run on a JRE as a non-root user from a layered jar.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
# Extracted without the launcher: the application jar beside lib/, started with `java -jar`, the layout whose
# classes the JDK's AOT cache can hold (classes in a fat jar's nested jars cannot be cached).
RUN ./mvnw -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/bnserve-*.jar extract --layers --destination /extracted \
 && mv /extracted/application/bnserve-*.jar /extracted/application/bnserve.jar

# Java 17 bytecode runs on 25; virtual threads (21+) give the best tail latency for /predict, and JDK 25's AOT
# cache (JEP 483/514/515) cuts the start-up. The test suite runs on 17 (.ci/run), and on 25 where one is installed.
FROM eclipse-temurin:25-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app bnserve && mkdir -p /data && chown bnserve /data
WORKDIR /app
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
# One training start writes the AOT cache (loaded and linked classes, method profiles): Spring ends it once the
# context is refreshed. Same flags as the ENTRYPOINT, or the JVM ignores the cache.
RUN java --add-modules jdk.incubator.vector -XX:+UseSerialGC -XX:AOTCacheOutput=/app/bnserve.aot \
      -Dspring.context.exit=onRefresh -jar /app/bnserve.jar --bnserve.data-dir=/tmp/aot-train \
 && rm -rf /tmp/aot-train
USER bnserve
ENV BNSERVE_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://localhost:8080/actuator/health/liveness || exit 1
# SerialGC: the fastest setup measured on 2 cores (README, Fast by default); on a machine with many cores and a
# large heap, G1 (-XX:+UseG1GC) may suit better: a deployment choice.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC", \
            "-XX:AOTCache=/app/bnserve.aot", "-jar", "/app/bnserve.jar"]
